import {
  CompactEncrypt,
  compactDecrypt,
  decodeProtectedHeader,
  type CompactDecryptGetKey,
  importJWK,
  type JWK,
  type CryptoKey,
  type KeyObject,
} from 'jose';
import { ACCESS_TOKEN_TYP } from './access-token-jwt';
import { importPublicKeyOnce } from './imported-keys';
import { fromJoseError, TokenVerificationError } from './token-verification-error';

/** Key management we accept: no RSA1_5 (padding oracles), no symmetric `dir` shared with RSs. */
export const ACCESS_TOKEN_KEY_MANAGEMENT_ALGS = [
  'RSA-OAEP-256',
  'ECDH-ES',
  'ECDH-ES+A256KW',
] as const;
export type AccessTokenKeyManagementAlg = (typeof ACCESS_TOKEN_KEY_MANAGEMENT_ALGS)[number];
export const ACCESS_TOKEN_CONTENT_ENCRYPTION = [
  'A256GCM',
  'A128GCM',
  'A256CBC-HS512',
  'A128CBC-HS256',
] as const;
export type AccessTokenContentEncryption = (typeof ACCESS_TOKEN_CONTENT_ENCRYPTION)[number];

export interface EncryptAccessTokenOptions {
  /** The resource server's public encryption key (RSA, EC P-256/384/521, or X25519). */
  readonly jwk: JWK;
  /** Defaults to jwk.alg, else RSA-OAEP-256 for RSA and ECDH-ES+A256KW for EC/OKP keys. */
  readonly alg?: AccessTokenKeyManagementAlg;
  readonly enc?: AccessTokenContentEncryption;
  /**
   * Extra protected header parameters (the userinfo handle, ADR 0007). Compact
   * serialization has no unprotected header, and the RS's decryption then
   * authenticates them; they never replace alg, enc, cty, typ or kid.
   */
  readonly header?: Readonly<Record<string, string>>;
}

/**
 * Nests a signed RFC 9068 access token in a JWE for one resource server.
 *
 * Header choice: `cty: "JWT"` because RFC 7519 section 5.2 says a nested JWT
 * MUST carry it (node-oidc-provider writes `cty: "at+jwt"` instead, which
 * generic JOSE libraries do not recognise as nesting). `typ: "at+jwt"` is
 * repeated on the outside as RFC 8725 section 3.11 allows, so an RS that
 * applies RFC 9068 section 4 step 1 (check typ) before step 2 (decrypt) still
 * accepts it; the inner JWS keeps its own `typ: at+jwt`, which is the one
 * that counts after decryption. No claims are replicated into the header.
 * The one encryption of access tokens: the token minter and the tests both
 * call it.
 */
export async function encryptAccessToken(
  signedJwt: string,
  options: EncryptAccessTokenOptions,
): Promise<string> {
  assertSignedAccessToken(signedJwt);
  const { jwk } = options;
  if (jwk.d !== undefined || jwk.k !== undefined)
    throw new Error('encryption key must be the resource server public key');
  if (jwk.use !== undefined && jwk.use !== 'enc')
    throw new Error('encryption key is not for use "enc"');
  const alg = resolveAlg(jwk, options.alg);
  const enc = options.enc ?? 'A256GCM';
  if (!(ACCESS_TOKEN_CONTENT_ENCRYPTION as readonly string[]).includes(enc))
    throw new Error(`unsupported enc: ${enc}`);
  const key = await importPublicKeyOnce(jwk, alg);
  return new CompactEncrypt(new TextEncoder().encode(signedJwt))
    .setProtectedHeader({
      ...options.header,
      alg,
      enc,
      cty: 'JWT',
      typ: ACCESS_TOKEN_TYP,
      ...(jwk.kid ? { kid: jwk.kid } : {}),
    })
    .encrypt(key);
}

/**
 * Decrypts one of our encrypted access tokens and returns the inner signed
 * JWT, which the caller must still verify with verifyOurJwt (typ at+jwt).
 * Throws TokenVerificationError ('malformed', 'alg', 'typ', 'decryption').
 */
export async function decryptAccessToken(
  jwe: string,
  privateKey: CryptoKey | KeyObject | JWK,
): Promise<string> {
  if (typeof jwe !== 'string' || jwe.split('.').length !== 5)
    throw new TokenVerificationError('malformed', 'not a compact JWE');
  const key: CompactDecryptGetKey = (header) =>
    isJwk(privateKey) ? importJWK(privateKey, header.alg) : privateKey;
  try {
    const { plaintext, protectedHeader } = await compactDecrypt(jwe, key, {
      keyManagementAlgorithms: [...ACCESS_TOKEN_KEY_MANAGEMENT_ALGS],
      contentEncryptionAlgorithms: [...ACCESS_TOKEN_CONTENT_ENCRYPTION],
    });
    if (String(protectedHeader.cty).toUpperCase() !== 'JWT')
      throw new TokenVerificationError('malformed', 'JWE does not carry a nested JWT (cty)');
    if (normalizeTyp(protectedHeader.typ) !== ACCESS_TOKEN_TYP)
      throw new TokenVerificationError('typ', 'JWE is not an access token (typ)');
    const inner = new TextDecoder().decode(plaintext);
    assertSignedAccessToken(inner);
    return inner;
  } catch (err) {
    throw fromJoseError(err);
  }
}

function resolveAlg(jwk: JWK, requested: string | undefined): AccessTokenKeyManagementAlg {
  if (requested && jwk.alg && requested !== jwk.alg)
    throw new Error(`key is for ${jwk.alg}, not ${requested}`);
  const alg = requested ?? jwk.alg ?? (jwk.kty === 'RSA' ? 'RSA-OAEP-256' : 'ECDH-ES+A256KW');
  if (!(ACCESS_TOKEN_KEY_MANAGEMENT_ALGS as readonly string[]).includes(alg))
    throw new Error(`unsupported key management alg: ${alg}`);
  const rsa = alg === 'RSA-OAEP-256';
  if (rsa ? jwk.kty !== 'RSA' : jwk.kty !== 'EC' && jwk.kty !== 'OKP')
    throw new Error(`a ${String(jwk.kty)} key cannot be used with ${alg}`);
  return alg as AccessTokenKeyManagementAlg;
}

/** Refuses to wrap anything but a compact JWS typed at+jwt (an ID token must never be sent to an RS). */
function assertSignedAccessToken(jwt: string): void {
  if (typeof jwt !== 'string' || jwt.split('.').length !== 3)
    throw new TokenVerificationError('malformed', 'nested token is not a compact JWS');
  let typ: unknown;
  try {
    typ = decodeProtectedHeader(jwt).typ;
  } catch (err) {
    throw new TokenVerificationError('malformed', 'nested token header is unreadable', {
      cause: err,
    });
  }
  if (normalizeTyp(typ) !== ACCESS_TOKEN_TYP)
    throw new TokenVerificationError('typ', 'nested token is not typ at+jwt');
}

function normalizeTyp(typ: unknown): string | undefined {
  return typeof typ === 'string' ? typ.toLowerCase().replace(/^application\//, '') : undefined;
}

function isJwk(key: CryptoKey | KeyObject | JWK): key is JWK {
  return typeof (key as JWK).kty === 'string';
}
