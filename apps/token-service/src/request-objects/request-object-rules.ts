import { REPEATABLE_PARAMS } from '@idp/nest-kit';
import { OAuthError } from '@idp/oauth-errors';
import { DEFAULT_VERIFY_ALGS } from '@idp/crypto';
import type { JWTPayload, ProtectedHeaderParameters } from 'jose';

/** Signed request objects only, with the same asymmetric algs as client assertions (discovery says which). */
export const REQUEST_OBJECT_ALGS: readonly string[] = DEFAULT_VERIFY_ALGS;
/** Clock skew allowed on exp, nbf and iat. */
export const CLOCK_TOLERANCE_SECONDS = 5;
/** RFC 9101 has no bound; FAPI's 60 minutes keeps a captured object from being reused for days. */
export const MAX_NBF_AGE_SECONDS = 60 * 60;
/** JWT claims of the object itself (RFC 7519 4.1): not authorization parameters (RFC 9101 4). */
const JWT_CLAIMS = new Set(['iss', 'aud', 'exp', 'nbf', 'iat', 'jti', 'sub']);

export function invalidRequestObject(description: string, cause?: unknown): OAuthError {
  return new OAuthError('invalid_request_object', {
    description,
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * A compact JWE has five parts, a JWS three. Encrypted request objects (RFC
 * 9101 6.1) would need an encryption key of ours per client; we do not
 * advertise any, so one is refused by name rather than as a bad signature.
 */
export function checkCompactJws(jwt: string): void {
  const parts = jwt.split('.').length;
  if (parts === 5)
    throw invalidRequestObject('encrypted request objects (JWE) are not supported; sign it only');
  if (parts !== 3) throw invalidRequestObject('the request object is not a compact JWS');
}

/** RFC 7515 4.1.9: typ compares case-insensitively, `application/` may be left out. */
function mediaType(typ: string): string {
  const t = typ.toLowerCase();
  return t.startsWith('application/') ? t.slice('application/'.length) : t;
}

/**
 * The header, before any key is looked at: never `none` or an HMAC (we hold
 * no client secret in clear to verify one with), an alg of the allow-list and
 * the client's registered request_object_signing_alg when it set one; `typ`,
 * when present, says a request object (RFC 9101 10.8) or a plain JWT.
 */
export function checkHeader(header: ProtectedHeaderParameters, registeredAlg?: string): string {
  const alg = header.alg;
  if (typeof alg !== 'string') throw invalidRequestObject('the request object has no alg');
  if (alg === 'none') throw invalidRequestObject('unsigned request objects (alg none) are refused');
  if (/^HS/i.test(alg))
    throw invalidRequestObject('request objects signed with a shared secret (HS*) are refused');
  if (!REQUEST_OBJECT_ALGS.includes(alg))
    throw invalidRequestObject(`alg must be one of ${REQUEST_OBJECT_ALGS.join(', ')}`);
  if (registeredAlg !== undefined && alg !== registeredAlg)
    throw invalidRequestObject(`the client registered request_object_signing_alg ${registeredAlg}`);
  if (header.typ !== undefined) {
    const typ = mediaType(String(header.typ));
    if (typ !== 'oauth-authz-req+jwt' && typ !== 'jwt')
      throw invalidRequestObject('typ must be oauth-authz-req+jwt or JWT');
  }
  if (header.crit !== undefined)
    throw invalidRequestObject('crit header parameters are not supported');
  return alg;
}

/**
 * The claims of a verified object (signature, iss and aud already checked by
 * the verifier): exp required and in the future, nbf (when sent) neither in
 * the future nor older than MAX_NBF_AGE_SECONDS, iat not in the future.
 */
export function checkTimes(payload: JWTPayload, now: number): void {
  const { exp, nbf, iat } = payload;
  if (exp === undefined) throw invalidRequestObject('the request object has no exp');
  if (typeof exp !== 'number' || !Number.isFinite(exp))
    throw invalidRequestObject('exp must be a number');
  if (exp <= now - CLOCK_TOLERANCE_SECONDS)
    throw invalidRequestObject('the request object expired');
  if (nbf !== undefined) {
    if (typeof nbf !== 'number' || !Number.isFinite(nbf))
      throw invalidRequestObject('nbf must be a number');
    if (nbf > now + CLOCK_TOLERANCE_SECONDS)
      throw invalidRequestObject('the request object is not valid yet (nbf)');
    if (now - nbf > MAX_NBF_AGE_SECONDS)
      throw invalidRequestObject('the request object is too old (nbf more than 60 minutes ago)');
  }
  if (iat !== undefined) {
    if (typeof iat !== 'number' || !Number.isFinite(iat))
      throw invalidRequestObject('iat must be a number');
    if (iat > now + CLOCK_TOLERANCE_SECONDS)
      throw invalidRequestObject('the request object was issued in the future (iat)');
  }
}

/** A claim value as an authorization parameter would have been sent (form encoding has strings only). */
function asParam(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  // `claims` (OIDC Core 5.5) is a JSON object in a request object and JSON text in a query.
  if (value !== null && typeof value === 'object' && !Array.isArray(value))
    return JSON.stringify(value);
  return undefined;
}

/**
 * The authorization parameters a verified object carries (RFC 9101 4): every
 * claim but the JWT's own, as strings. Its client_id, when present, must be
 * the one the request was made for (RFC 9101 5, OIDC Core 6.1); a request
 * object that refers to another one (nested `request` or `request_uri`) is
 * refused (RFC 9101 4: "MUST NOT include").
 */
export function authorizationParams(
  payload: JWTPayload,
  clientId: string,
): Record<string, string | string[]> {
  if (payload['request'] !== undefined || payload['request_uri'] !== undefined)
    throw invalidRequestObject('a request object must not contain request or request_uri');
  if (payload['client_id'] !== undefined && payload['client_id'] !== clientId)
    throw invalidRequestObject('client_id in the request object does not match the request');
  const params = Object.create(null) as Record<string, string | string[]>;
  for (const [name, value] of Object.entries(payload)) {
    if (JWT_CLAIMS.has(name)) continue;
    if (Array.isArray(value)) {
      // RFC 8707 2: `resource` may repeat; a JSON array is how an object repeats it. The
      // edge's parseParams then applies a query's rules (strings, lengths, how many).
      if (!REPEATABLE_PARAMS.has(name) || !value.every((v) => typeof v === 'string'))
        throw invalidRequestObject('a request object parameter has several values');
      params[name] = value as string[];
      continue;
    }
    const param = asParam(value);
    if (param !== undefined && param !== '') params[name] = param;
  }
  params['client_id'] = clientId;
  return params;
}
