import { PRIVATE_JWK_MEMBERS } from '@idp/contracts';
import { DomainRuleError } from '../decider';
import { resourceProblem } from '../client/uri.rules';

/** Which key type each accepted key management algorithm needs (RSA1_5 and `dir` are refused). */
const KTY_OF_ALG: Readonly<Record<string, string>> = {
  'RSA-OAEP-256': 'RSA',
  'ECDH-ES': 'EC',
  'ECDH-ES+A256KW': 'EC',
};
const EC_CURVES = new Set(['P-256', 'P-384', 'P-521']);
/** NIST SP 800-57: RSA below 2048 bits no longer protects anything for a token's lifetime. */
const MIN_RSA_MODULUS_BYTES = 256;
export const MAX_RESOURCE_KEYS = 10;

const invalid = (message: string) => new DomainRuleError('resource.invalid', message);

/** RFC 8707 2: the indicator is an absolute URI without a fragment; it is compared as a string. */
export function checkResourceUri(resource: string): void {
  const problem = resourceProblem(resource);
  if (problem) throw invalid(`resource ${problem}`);
  if (resource.length > 2000) throw invalid('resource must be at most 2000 characters');
}

/**
 * What a resource server may register as its encryption keys: public only
 * (we never hold a resource server's private key), `use: enc`, an `alg` we
 * encrypt with and that fits the key type, and a strong enough key. Checked
 * here, not at issuance, so a bad key fails the registration, not a token.
 */
export function checkEncryptionKeys(keys: readonly Readonly<Record<string, unknown>>[]): void {
  if (keys.length === 0) throw invalid('jwks must contain at least one key');
  if (keys.length > MAX_RESOURCE_KEYS)
    throw invalid(`jwks may contain at most ${MAX_RESOURCE_KEYS} keys`);
  const kids = new Set<string>();
  keys.forEach((key, i) => {
    const where = `jwks.keys[${i}]`;
    const priv = PRIVATE_JWK_MEMBERS.find((m) => m in key);
    if (priv) throw invalid(`${where} must be a public key (found "${priv}")`);
    if (key['use'] !== 'enc') throw invalid(`${where}.use must be "enc"`);
    const alg = String(key['alg']);
    const kty = KTY_OF_ALG[alg];
    if (!kty) throw invalid(`${where}.alg must be one of ${Object.keys(KTY_OF_ALG).join(', ')}`);
    if (key['kty'] !== kty) throw invalid(`${where}: alg ${alg} needs a ${kty} key`);
    if (kty === 'RSA') checkRsa(key, where);
    else checkEc(key, where);
    const kid = key['kid'];
    if (kid !== undefined) {
      if (typeof kid !== 'string' || kid === '') throw invalid(`${where}.kid must be a string`);
      if (kids.has(kid)) throw invalid(`${where}.kid ${kid} is not unique`);
      kids.add(kid);
    }
  });
}

function checkRsa(key: Readonly<Record<string, unknown>>, where: string): void {
  const n = base64urlBytes(key['n']);
  if (n === undefined || base64urlBytes(key['e']) === undefined)
    throw invalid(`${where} needs base64url n and e`);
  if (n < MIN_RSA_MODULUS_BYTES) throw invalid(`${where}: RSA keys must be at least 2048 bits`);
}

function checkEc(key: Readonly<Record<string, unknown>>, where: string): void {
  if (!EC_CURVES.has(String(key['crv'])))
    throw invalid(`${where}.crv must be one of ${[...EC_CURVES].join(', ')}`);
  if (base64urlBytes(key['x']) === undefined || base64urlBytes(key['y']) === undefined)
    throw invalid(`${where} needs base64url x and y`);
}

/** Byte length of a base64url value, ignoring leading zero bytes (as a modulus would). */
function base64urlBytes(v: unknown): number | undefined {
  if (typeof v !== 'string' || !/^[A-Za-z0-9_-]+$/.test(v)) return undefined;
  const bytes = Buffer.from(v, 'base64url');
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  return bytes.length - i;
}

/** Key-order-insensitive JSON equality, so an unchanged re-seed appends nothing. */
export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (!v || typeof v !== 'object') return v;
  return Object.fromEntries(
    Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .sort(([x], [y]) => (x < y ? -1 : 1))
      .map(([k, x]) => [k, canonical(x)]),
  );
}
