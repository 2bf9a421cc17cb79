// DPoP proofs (RFC 9449) for the load generator. Every request of a DPoP
// row needs a proof of its own (a fresh jti: the servers accept each once),
// and signing one costs the generator an ES256 signature. Signed inline, the
// signatures would compete with the servers for the same two cores, so a
// row's proofs are signed in bulk *before* each timed phase (ProofPool.fill)
// and autocannon only takes the next one per request (ProofPool.next). The
// cost is that a proof's `iat` is when it was signed, so the servers must
// accept proofs as old as a phase is long: `proofMaxAgeEnv` raises our
// DPOP_PROOF_MAX_AGE when a run needs it (nop accepts 300 s, fixed).
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { performance } from 'node:perf_hooks';

/** Our DPOP_PROOF_MAX_AGE default (packages/config/src/dpop-settings.ts) and its maximum. */
export const SERVER_PROOF_MAX_AGE = 60;
const SERVER_PROOF_MAX_AGE_LIMIT = 600;
/** Seconds a phase's proofs may spend being signed, plus margin, before the phase starts. */
export const SIGNING_ALLOWANCE_S = 15;

const b64 = (buf) => Buffer.from(buf).toString('base64url');

/** base64url(SHA-256(access token)): the `ath` of a proof sent with that token (RFC 9449 4.2). */
export const athOf = (token) => createHash('sha256').update(token).digest('base64url');

/**
 * A P-256 key for ES256 proofs: { privateKey, jwk (public members only),
 * header (encoded) }; a new one, or `privateKey` (a KeyObject) when given.
 */
export function proofKey(
  privateKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
) {
  const publicKey = createPublicKey(privateKey);
  const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
  const jwk = { kty, crv, x, y };
  // The protected header is the same for every proof of a key: encoded once.
  const header = b64(JSON.stringify({ typ: 'dpop+jwt', alg: 'ES256', jwk }));
  return { privateKey, jwk, header };
}

/** The RFC 7638 thumbprint of a P-256 public JWK: what a bound token's `cnf.jkt` holds. */
export function thumbprintOf({ crv, kty, x, y }) {
  return createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest('base64url');
}

/**
 * One compact proof for `htm` `htu` (and `ath` at a resource): a fresh
 * random jti, iat = now (seconds) unless given.
 */
export function signProof(key, { htm, htu, ath, iat = Math.floor(Date.now() / 1000) }) {
  const payload = { jti: randomBytes(16).toString('base64url'), htm, htu, iat };
  if (ath !== undefined) payload.ath = ath;
  const input = `${key.header}.${b64(JSON.stringify(payload))}`;
  // JWS ES256 wants r || s (IEEE P1363), not node's default DER.
  const signature = sign('sha256', Buffer.from(input), {
    key: key.privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  return `${input}.${b64(signature)}`;
}

/** How many proofs a phase of `seconds` at about `rate` requests/s may take (with headroom). */
export function proofsNeeded(rate, seconds, connections = 0) {
  return Math.ceil(Math.max(rate, 1) * seconds * 1.3) + connections + 200;
}

/**
 * The DPOP_PROOF_MAX_AGE our targets need for phases of `duration` seconds
 * (its proofs are signed just before it): {} when the default suffices,
 * else the setting. Throws beyond the setting's maximum.
 */
export function proofMaxAgeEnv(duration) {
  if (!Number.isFinite(duration)) throw new Error(`proofMaxAgeEnv: ${duration} is not a duration`);
  const needed = Math.ceil(duration + SIGNING_ALLOWANCE_S);
  if (needed <= SERVER_PROOF_MAX_AGE) return {};
  if (needed > SERVER_PROOF_MAX_AGE_LIMIT)
    throw new Error(
      `DPoP rows of ${duration} s need proofs older than DPOP_PROOF_MAX_AGE's maximum (${SERVER_PROOF_MAX_AGE_LIMIT} s)`,
    );
  return { DPOP_PROOF_MAX_AGE: String(needed) };
}

/**
 * Proofs for one request shape (key, htm, htu, ath), signed ahead. next()
 * hands each out once; when the pool runs dry it signs inline (counted in
 * `inline`, shown in the row's notes: those were signed during the window).
 */
export class ProofPool {
  #proofs = [];
  #at = 0;
  constructor(key, claims, { signer = signProof } = {}) {
    this.key = key;
    this.claims = claims;
    this.signer = signer;
    this.presigned = 0;
    this.inline = 0;
    this.signSeconds = 0;
  }

  /** Replaces the pool with `n` fresh proofs (the unused old ones are dropped: they age). */
  fill(n) {
    const t0 = performance.now();
    const iat = Math.floor(Date.now() / 1000);
    this.#proofs = new Array(n);
    for (let i = 0; i < n; i++) this.#proofs[i] = this.signer(this.key, { ...this.claims, iat });
    this.#at = 0;
    this.presigned += n;
    this.signSeconds += (performance.now() - t0) / 1000;
  }

  /** Proofs not handed out yet. */
  get left() {
    return this.#proofs.length - this.#at;
  }

  next() {
    if (this.#at < this.#proofs.length) {
      const proof = this.#proofs[this.#at];
      this.#proofs[this.#at++] = undefined; // handed out: never again, and free for the GC
      return proof;
    }
    this.inline += 1;
    return this.signer(this.key, this.claims);
  }

  /** What the notes say about one target's proofs in a row (`pools`: every pool it used). */
  static describe(pools) {
    const presigned = pools.reduce((s, p) => s + p.presigned, 0);
    const inline = pools.reduce((s, p) => s + p.inline, 0);
    const seconds = pools.reduce((s, p) => s + p.signSeconds, 0);
    return `${presigned.toLocaleString('en-US')} proofs pre-signed (${seconds.toFixed(1)} s, untimed), ${inline.toLocaleString('en-US')} signed in the timed window`;
  }
}

/**
 * autocannon request objects that each carry a fresh proof from `pool`:
 * `base` is the request (method, headers, body), the DPoP header is set per
 * request by setupRequest (autocannon rebuilds a request that has one).
 */
export function withProofs(base, pool) {
  return {
    ...base,
    setupRequest(req) {
      req.headers = { ...req.headers, dpop: pool.next() };
      return req;
    },
  };
}
