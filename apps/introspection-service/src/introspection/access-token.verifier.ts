import { TokenVerificationError, verifyOurJwt, type VerifyOurJwtOptions } from '@idp/crypto';
import { type JwksProjection } from '../projections/jwks.projection';
import { verificationKeys } from '../projections/jwks.read-model';
import { CheckedTokens } from './checked-tokens';
import { type IntrospectionConfig } from './introspection-config';

type Jwk = VerifyOurJwtOptions['jwks'][number];

/** What local verification of a JWT access token concluded. */
export type JwtCheck =
  | { readonly outcome: 'valid'; readonly jti: string; readonly exp: number }
  /** Ours by shape but signed by a key this replica does not know yet: ask token-service. */
  | { readonly outcome: 'unknown_key' }
  | { readonly outcome: 'invalid' };

/** Keys are re-read at least this often, so retirements and new keys arrive without events here. */
const MAX_KEY_AGE_MS = 60_000;
/** Unknown kids re-read the JWKS read model at most this often (a flood of forged kids stays cheap). */
const MIN_REFRESH_INTERVAL_MS = 1_000;

/**
 * Verifies RFC 9068 access tokens locally against the JWKS read model
 * (typ at+jwt, our issuer, the asymmetric alg allow-list). The key array is
 * kept in process, so jose's imported keys stay warm; it is re-read when a
 * token names a kid we do not hold, and when it is a minute old.
 */
export class AccessTokenVerifier {
  private keys: readonly Jwk[] = [];
  private kids = new Set<string>();
  private loadedAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<void> | undefined;
  /** Tokens whose signature was checked: on a hit only expiry and the key still being published are. */
  private readonly verified: CheckedTokens<{ readonly jti: string; readonly exp: number }>;

  constructor(
    private readonly jwks: Pick<JwksProjection, 'read'>,
    private readonly config: Pick<IntrospectionConfig, 'issuer' | 'checkedTokens'>,
    private readonly clock: () => number = Date.now,
  ) {
    this.verified = new CheckedTokens(config.checkedTokens);
  }

  async check(token: string): Promise<JwtCheck> {
    const kid = kidOf(token);
    if (kid === undefined) return { outcome: 'invalid' };
    const age = this.clock() - this.loadedAt;
    if (age > MAX_KEY_AGE_MS || (!this.kids.has(kid) && age > MIN_REFRESH_INTERVAL_MS)) {
      await this.refresh();
    }
    if (!this.kids.has(kid)) return { outcome: 'unknown_key' };
    const known = this.verified.get(token);
    if (known !== undefined) {
      if (known.exp > Math.floor(this.clock() / 1000)) return { outcome: 'valid', ...known };
      this.verified.forget(token); // expired: the full check below decides, with its tolerance
    }
    try {
      const claims = await verifyOurJwt(token, {
        jwks: this.keys,
        issuer: this.config.issuer,
        typ: 'at+jwt',
        now: Math.floor(this.clock() / 1000),
      });
      if (typeof claims.jti !== 'string' || typeof claims.exp !== 'number') {
        return { outcome: 'invalid' };
      }
      this.verified.remember(token, { jti: claims.jti, exp: claims.exp });
      return { outcome: 'valid', jti: claims.jti, exp: claims.exp };
    } catch (err) {
      if (err instanceof TokenVerificationError) return { outcome: 'invalid' };
      throw err;
    }
  }

  /** One read at a time; a failed read keeps the keys we had (Redis trouble is not a key change). */
  private refresh(): Promise<void> {
    this.loading ??= (async () => {
      try {
        const model = await this.jwks.read();
        const keys = verificationKeys(model, Math.floor(this.clock() / 1000)) as unknown as Jwk[];
        const kids = new Set(keys.map((k) => k.kid).filter((k): k is string => k !== undefined));
        // A key that left the set takes its tokens with it, remembered or not.
        if ([...this.kids].some((kid) => !kids.has(kid))) this.verified.clear();
        this.keys = keys;
        this.kids = kids;
      } catch {
        // Unknown kids then read through to token-service, which knows every key.
      } finally {
        this.loadedAt = this.clock();
        this.loading = undefined;
      }
    })();
    return this.loading;
  }
}

/** The kid of a compact JWS header, without verifying anything; undefined if not one. */
function kidOf(token: string): string | undefined {
  const dot = token.indexOf('.');
  if (dot <= 0 || dot > 2048) return undefined;
  try {
    const header = JSON.parse(Buffer.from(token.slice(0, dot), 'base64url').toString('utf8')) as {
      kid?: unknown;
    };
    return typeof header === 'object' && header !== null && typeof header.kid === 'string'
      ? header.kid
      : undefined;
  } catch {
    return undefined;
  }
}
