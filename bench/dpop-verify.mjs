// CPU time of one DPoP proof check as auth-api runs it (@idp/crypto
// verifyDpopProof: parse, import the embedded JWK, ES256 signature, claims,
// thumbprint), alone in this process, without HTTP or the replay store:
// node bench/dpop-verify.mjs [n]. Needs a build (npx tsc -b). Prints CPU µs
// per check (user + system of this process, so other work on the machine
// changes it less than wall time) with and without `ath`, and the floor: the
// same signature checked with node:crypto alone (createPublicKey + verify).
import { createPublicKey, verify } from 'node:crypto';
import { createRequire } from 'node:module';
import { athOf, proofKey, signProof } from './lib/dpop.mjs';

const { verifyDpopProof } = createRequire(import.meta.url)('@idp/crypto');
const n = Number(process.argv[2] ?? 5000);
const url = 'http://127.0.0.1:3000/userinfo';
const token = 'at_0123456789abcdefghijklmnopqrstuvwxyz';
const key = proofKey();

async function measure(label, accessToken) {
  const claims = { htm: 'GET', htu: url, ...(accessToken && { ath: athOf(accessToken) }) };
  const proofs = Array.from({ length: n + 500 }, () => signProof(key, claims));
  const check = (proof) =>
    verifyDpopProof({
      proof,
      method: 'GET',
      url,
      now: Math.floor(Date.now() / 1000),
      algs: ['ES256', 'EdDSA', 'RS256', 'PS256'],
      maxAge: 60,
      skew: 5,
      accessToken,
    });
  for (const p of proofs.splice(0, 500)) await check(p); // warm-up: the JIT, WebCrypto's key cache
  const before = process.cpuUsage();
  for (const p of proofs) await check(p);
  const used = process.cpuUsage(before);
  const us = (used.user + used.system) / n;
  console.log(`${label}: ${us.toFixed(1)} µs CPU per check (${n} checks)`);
}

/** The floor: only the key import and the ES256 signature, synchronous node:crypto. */
function floor() {
  const proofs = Array.from({ length: n + 500 }, () => signProof(key, { htm: 'GET', htu: url }));
  const check = (proof) => {
    const [h, p, s] = proof.split('.');
    const { jwk } = JSON.parse(Buffer.from(h, 'base64url'));
    const pub = createPublicKey({ key: jwk, format: 'jwk' });
    const ok = verify(
      'sha256',
      Buffer.from(`${h}.${p}`),
      { key: pub, dsaEncoding: 'ieee-p1363' },
      Buffer.from(s, 'base64url'),
    );
    if (!ok) throw new Error('a proof did not verify');
  };
  for (const p of proofs.splice(0, 500)) check(p);
  const before = process.cpuUsage();
  for (const p of proofs) check(p);
  const used = process.cpuUsage(before);
  console.log(
    `floor, node:crypto key import + ES256 verify: ${((used.user + used.system) / n).toFixed(1)} µs CPU per check`,
  );
}

floor();
await measure('proof at /token (no ath)');
await measure('proof at /userinfo (with ath)', token);
