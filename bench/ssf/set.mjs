// Security Event Tokens (RFC 8417) as a receiver of the benchmark sees them:
// decoding, the claim checks every SET gets on arrival, the signature check a
// sample gets after the clock stopped, and signing (the bare limit's
// pre-signed SETs). The bench is a client of the server, not part of it, so
// it verifies with node:crypto rather than @idp/crypto: a second, independent
// implementation of the check.
import {
  constants,
  createPublicKey,
  generateKeyPairSync,
  randomUUID,
  sign,
  verify,
} from 'node:crypto';

/** RFC 8417 2.3 / SSF 1.0: the `typ` of a SET's JOSE header. */
export const SET_TYP = 'secevent+jwt';

/** JWS algs → how node:crypto checks (and makes) their signatures. */
const ALGS = {
  RS256: { hash: 'sha256' },
  PS256: { hash: 'sha256', opts: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } },
  ES256: { hash: 'sha256', opts: { dsaEncoding: 'ieee-p1363' } },
  ES384: { hash: 'sha384', opts: { dsaEncoding: 'ieee-p1363' } },
  EdDSA: { hash: null },
};

const b64json = (part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

/** A compact SET's header and claims (no signature check); throws on a malformed token. */
export function decodeSet(compact) {
  const parts = String(compact).split('.');
  if (parts.length !== 3) throw new Error(`not a compact JWS (${parts.length} parts)`);
  return { header: b64json(parts[0]), claims: b64json(parts[1]) };
}

/**
 * What is wrong with a decoded SET for receiver `aud` expecting an event of
 * `eventType` (undefined when nothing): typ, aud, jti, iat, and the event.
 * `iss` is checked when given.
 */
export function setProblem({ header, claims }, { aud, eventType, iss }) {
  if (header.typ !== SET_TYP) return `typ ${JSON.stringify(header.typ)}`;
  const auds = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!auds.includes(aud)) return `aud ${JSON.stringify(claims.aud)} is not ${aud}`;
  if (iss !== undefined && claims.iss !== iss) return `iss ${JSON.stringify(claims.iss)}`;
  if (typeof claims.jti !== 'string' || !claims.jti) return 'no jti';
  if (typeof claims.iat !== 'number') return 'no iat';
  if (!claims.events || typeof claims.events !== 'object') return 'no events';
  if (eventType !== undefined && !(eventType in claims.events))
    return `no ${eventType} event (${Object.keys(claims.events).join(', ')})`;
  return undefined;
}

/**
 * Whether a SET is the one a revocation of the access token `jti` caused:
 * its `eventType` event names that jti somewhere in its payload (the event
 * carries the affected access tokens' jtis; where exactly is the
 * transmitter's business, so the bench looks anywhere in it).
 */
export function revokes({ claims }, eventType, jti) {
  const event = claims.events?.[eventType];
  if (event === undefined) return false;
  return JSON.stringify(event).includes(JSON.stringify(jti));
}

/** Whether the compact JWS's signature verifies with a key of `jwks` (by kid, else any of the alg's type). */
export function signatureVerifies(compact, jwks) {
  const [h, p, s] = String(compact).split('.');
  const header = b64json(h);
  const alg = ALGS[header.alg];
  if (!alg) throw new Error(`unsupported alg ${header.alg}`);
  const keys = (jwks.keys ?? []).filter((k) => header.kid === undefined || k.kid === header.kid);
  if (!keys.length) throw new Error(`no key ${header.kid} in the JWKS`);
  const data = Buffer.from(`${h}.${p}`);
  const signature = Buffer.from(s, 'base64url');
  return keys.some((jwk) => {
    try {
      const key = createPublicKey({ key: jwk, format: 'jwk' });
      return verify(alg.hash, data, alg.opts ? { key, ...alg.opts } : key, signature);
    } catch {
      return false;
    }
  });
}

const KEY_TYPES = {
  RS256: ['rsa', { modulusLength: 2048 }],
  PS256: ['rsa', { modulusLength: 2048 }],
  ES256: ['ec', { namedCurve: 'P-256' }],
  ES384: ['ec', { namedCurve: 'P-384' }],
  EdDSA: ['ed25519', {}],
};

/** A fresh signing key for `alg`: { sign(claims) → compact SET, jwks }. */
export function setSigner(alg = 'RS256') {
  const spec = ALGS[alg];
  const type = KEY_TYPES[alg];
  if (!spec || !type) throw new Error(`unsupported alg ${alg}`);
  const { privateKey, publicKey } = generateKeyPairSync(type[0], type[1]);
  const kid = randomUUID();
  const part = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const header = part({ alg, typ: SET_TYP, kid });
  return {
    jwks: { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' }] },
    sign(claims) {
      const input = `${header}.${part(claims)}`;
      const key = spec.opts ? { key: privateKey, ...spec.opts } : privateKey;
      return `${input}.${sign(spec.hash, Buffer.from(input), key).toString('base64url')}`;
    },
  };
}
