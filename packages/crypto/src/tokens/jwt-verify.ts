import { createLocalJWKSet, jwtVerify, type JWK, type JWTPayload } from 'jose';
import { fromJoseError, TokenVerificationError } from './token-verification-error';

/** The asymmetric JWS algs a verifier may allow. `none` and HS* are not representable. */
export const VERIFY_ALGS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;
export type VerifyAlg = (typeof VERIFY_ALGS)[number];
export const DEFAULT_VERIFY_ALGS: readonly VerifyAlg[] = ['RS256', 'PS256', 'ES256', 'EdDSA'];

/** The explicit types we issue (RFC 8725 section 3.11): one verifier can never take one for another. */
export type OurTokenTyp = 'at+jwt' | 'JWT' | 'logout+jwt';

/** Claims each type must carry (RFC 9068 2.2, OIDC Core 2, Back-Channel Logout 2.4). */
const REQUIRED_CLAIMS: Record<OurTokenTyp, readonly string[]> = {
  'at+jwt': ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id'],
  JWT: ['iss', 'sub', 'aud', 'exp', 'iat'],
  'logout+jwt': ['iss', 'aud', 'iat', 'exp', 'jti', 'events'],
};

/** Far above any token we mint; stops a multi-megabyte header from being parsed at all. */
const MAX_TOKEN_LENGTH = 64 * 1024;

export interface VerifyOurJwtOptions {
  /** Public keys from the JWKS read model (published + recently retired). */
  readonly jwks: readonly JWK[];
  readonly issuer: string;
  readonly typ: OurTokenTyp;
  /** When given, `aud` must contain it. */
  readonly audience?: string | undefined;
  readonly algorithms?: readonly VerifyAlg[];
  readonly clockToleranceSeconds?: number;
  /** Seconds since the epoch; defaults to the system clock. */
  readonly now?: number;
}

/**
 * Verifies a token we issued: signature against our JWKS only, alg from an
 * allow-list, `typ` enforced (case-insensitive, optional `application/`
 * prefix, as RFC 7515 4.1.9 allows), iss, optional aud, exp/nbf/iat with a
 * small tolerance. Returns the claims or throws TokenVerificationError.
 */
export async function verifyOurJwt(
  token: string,
  options: VerifyOurJwtOptions,
): Promise<JWTPayload> {
  const algorithms = checkAlgorithms(options.algorithms ?? DEFAULT_VERIFY_ALGS);
  const tolerance = options.clockToleranceSeconds ?? 5;
  if (!Number.isFinite(tolerance) || tolerance < 0)
    throw new Error('clockToleranceSeconds must be >= 0');
  if (!REQUIRED_CLAIMS[options.typ]) throw new Error(`unknown token typ: ${String(options.typ)}`);
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || token.split('.').length !== 3)
    throw new TokenVerificationError('malformed', 'not a compact JWS');

  const keys = keySet(options.jwks);
  const now = options.now ?? Math.floor(Date.now() / 1000);
  try {
    const { payload } = await jwtVerify(token, keys, {
      algorithms,
      typ: options.typ,
      issuer: options.issuer,
      ...(options.audience === undefined ? {} : { audience: options.audience }),
      requiredClaims: [...REQUIRED_CLAIMS[options.typ]],
      clockTolerance: tolerance,
      currentDate: new Date(now * 1000),
    });
    // jose checks iat only against maxTokenAge; a token from the future means a clock or key problem.
    if (typeof payload.iat === 'number' && payload.iat > now + tolerance)
      throw new TokenVerificationError('not_yet_valid', 'iat is in the future');
    return payload;
  } catch (err) {
    throw fromJoseError(err);
  }
}

function checkAlgorithms(algs: readonly string[]): string[] {
  if (algs.length === 0) throw new Error('algorithms allow-list is empty');
  // Defends callers outside the type system (config files, RPC): never `none`, never an HMAC.
  for (const a of algs)
    if (!(VERIFY_ALGS as readonly string[]).includes(a))
      throw new Error(`algorithm not allowed for our tokens: ${a}`);
  return [...algs];
}

type KeySet = ReturnType<typeof createLocalJWKSet>;
/**
 * The read model hands out the same array until keys change; reusing jose's
 * key set keeps imported keys warm on the introspection hot path. The kid
 * list guards against an array mutated in place (kids are never reused).
 */
const keySets = new WeakMap<readonly JWK[], { kids: string; set: KeySet }>();

function keySet(jwks: readonly JWK[]): KeySet {
  const kids = jwks.map((k) => k.kid ?? '').join(' ');
  const cached = keySets.get(jwks);
  if (cached && cached.kids === kids) return cached.set;
  // A private member here means private keys leaked out of token-service: fail loudly.
  if (jwks.some((k) => k.d !== undefined || k.k !== undefined))
    throw new Error('jwks must hold public keys only');
  const set = createLocalJWKSet({ keys: jwks.map((k) => ({ ...k })) });
  keySets.set(jwks, { kids, set });
  return set;
}
