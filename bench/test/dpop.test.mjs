// The DPoP proofs the load generator sends (bench/lib/dpop.mjs) and the
// DPoP rows' arithmetic (bench/lib/rows.mjs costOf, compare's baseline).
// No servers needed.
import assert from 'node:assert/strict';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  athOf,
  ProofPool,
  proofKey,
  proofMaxAgeEnv,
  proofsNeeded,
  signProof,
  thumbprintOf,
  withProofs,
} from '../lib/dpop.mjs';
import { compare, costOf } from '../lib/rows.mjs';

const HTU = 'http://127.0.0.1:3000/token';

function decode(proof) {
  const [h, p, s] = proof.split('.');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url')),
    payload: JSON.parse(Buffer.from(p, 'base64url')),
    input: `${h}.${p}`,
    signature: Buffer.from(s, 'base64url'),
  };
}

describe('signProof', () => {
  const key = proofKey();

  it('is a dpop+jwt ES256 JWS with the public key only, verifiable by it', () => {
    const { header, input, signature } = decode(signProof(key, { htm: 'POST', htu: HTU }));
    assert.deepEqual(Object.keys(header).sort(), ['alg', 'jwk', 'typ']);
    assert.equal(header.typ, 'dpop+jwt');
    assert.equal(header.alg, 'ES256');
    assert.deepEqual(Object.keys(header.jwk).sort(), ['crv', 'kty', 'x', 'y']);
    assert.equal(header.jwk.d, undefined);
    assert.equal(signature.length, 64, 'r || s, not DER');
    const pub = createPublicKey({ key: header.jwk, format: 'jwk' });
    assert.ok(
      verify('sha256', Buffer.from(input), { key: pub, dsaEncoding: 'ieee-p1363' }, signature),
    );
    const tampered = Buffer.from(signature);
    tampered[10] ^= 1;
    assert.ok(
      !verify('sha256', Buffer.from(input), { key: pub, dsaEncoding: 'ieee-p1363' }, tampered),
    );
  });

  it('carries htm, htu, iat now and no ath unless given', () => {
    const before = Math.floor(Date.now() / 1000);
    const { payload } = decode(signProof(key, { htm: 'POST', htu: HTU }));
    assert.equal(payload.htm, 'POST');
    assert.equal(payload.htu, HTU);
    assert.ok(payload.iat >= before && payload.iat <= Math.floor(Date.now() / 1000));
    assert.equal('ath' in payload, false);
    assert.ok(payload.jti.length >= 8 && payload.jti.length <= 256, 'the length ours accepts');
  });

  it('puts the token hash in ath (RFC 9449 4.2: base64url SHA-256 of the token)', () => {
    const token = 'an-access-token';
    const ath = athOf(token);
    assert.equal(ath, createHash('sha256').update(token, 'ascii').digest('base64url'));
    assert.equal(ath.length, 43);
    const { payload } = decode(signProof(key, { htm: 'GET', htu: HTU, ath }));
    assert.equal(payload.ath, ath);
    assert.notEqual(athOf('another-token'), ath);
  });

  it('gives every proof its own jti', () => {
    const jtis = new Set();
    for (let i = 0; i < 2000; i++)
      jtis.add(decode(signProof(key, { htm: 'POST', htu: HTU })).payload.jti);
    assert.equal(jtis.size, 2000);
  });

  it('thumbprints the key as RFC 7638 does (its 3.1 example members, in order)', () => {
    const { jwk } = key;
    const expected = createHash('sha256')
      .update(`{"crv":"P-256","kty":"EC","x":"${jwk.x}","y":"${jwk.y}"}`)
      .digest('base64url');
    assert.equal(thumbprintOf(jwk), expected);
    assert.notEqual(thumbprintOf(proofKey().jwk), expected);
  });
});

describe('ProofPool', () => {
  it('hands out each pre-signed proof once, all distinct, then signs inline and counts it', () => {
    let signed = 0;
    const signer = (key, claims) => {
      signed += 1;
      return signProof(key, claims);
    };
    const pool = new ProofPool(proofKey(), { htm: 'POST', htu: HTU }, { signer });
    pool.fill(50);
    assert.equal(signed, 50);
    assert.equal(pool.left, 50);
    const seen = new Set();
    for (let i = 0; i < 50; i++) seen.add(pool.next());
    assert.equal(seen.size, 50);
    assert.equal(pool.inline, 0);
    assert.equal(pool.left, 0);
    const extra = pool.next();
    assert.ok(!seen.has(extra));
    assert.equal(pool.inline, 1);
    assert.equal(signed, 51);
    assert.match(
      ProofPool.describe([pool]),
      /^50 proofs pre-signed \(\d+\.\d s, untimed\), 1 signed in the timed window$/,
    );
  });

  it('drops the proofs left from the last phase when refilled (they are getting old)', () => {
    const pool = new ProofPool(proofKey(), { htm: 'GET', htu: HTU, ath: athOf('t') });
    pool.fill(10);
    const first = pool.next();
    pool.fill(5);
    assert.equal(pool.left, 5);
    const rest = Array.from({ length: 5 }, () => pool.next());
    assert.ok(!rest.includes(first));
    assert.equal(pool.presigned, 15);
    for (const p of rest) assert.equal(decode(p).payload.ath, athOf('t'));
  });

  it('gives each request autocannon builds a fresh proof in the dpop header', () => {
    const pool = new ProofPool(proofKey(), { htm: 'POST', htu: HTU });
    pool.fill(3);
    const req = withProofs({ method: 'POST', headers: { authorization: 'Basic x' } }, pool);
    const a = req.setupRequest({ ...req, headers: { ...req.headers } });
    const b = req.setupRequest({ ...req, headers: { ...req.headers } });
    assert.equal(a.headers.authorization, 'Basic x');
    assert.notEqual(a.headers.dpop, b.headers.dpop);
    assert.equal(req.headers.dpop, undefined, 'the template is not changed');
  });
});

describe('sizing and the proof age', () => {
  it('pre-signs 30% more than the rate times the phase, plus a proof per connection', () => {
    assert.equal(proofsNeeded(1000, 10, 64), 13000 + 64 + 200);
    assert.equal(proofsNeeded(0, 1), 202, 'at least one per second');
  });

  it('keeps our default DPOP_PROOF_MAX_AGE for phases up to 45 s and raises it beyond', () => {
    assert.deepEqual(proofMaxAgeEnv(8), {});
    assert.deepEqual(proofMaxAgeEnv(45), {});
    assert.deepEqual(proofMaxAgeEnv(46), { DPOP_PROOF_MAX_AGE: '61' });
    assert.deepEqual(proofMaxAgeEnv(120), { DPOP_PROOF_MAX_AGE: '135' });
    assert.throws(() => proofMaxAgeEnv(590), /maximum/);
    assert.throws(() => proofMaxAgeEnv(Number.NaN), /not a duration/);
  });
});

describe('the cost of the proof check', () => {
  const fig = (rps, extra = {}) => ({ rps, p50: 1, p99: 2, errors: 0, ...extra });

  it('is req/s with ÷ req/s without, per target, and our CPU µs per request both ways', () => {
    const cost = costOf(
      fig(800, { cpuUsPerReq: 250 }),
      { nop: fig(600, { cpuUsPerReq: 300 }), 'nop-redis': { na: 'x' } },
      {
        label: 'without DPoP',
        ours: fig(1000, { cpuUsPerReq: 200 }),
        peers: { nop: fig(1000, { cpuUsPerReq: 310.4 }) },
      },
    );
    assert.equal(cost.ratios.ours, 0.8);
    assert.deepEqual(cost.ratios.peers, { nop: 0.6 });
    assert.equal(
      cost.note,
      'vs without DPoP (same run): ours 0.80× (server CPU 200 → 250 µs/req, +50), nop 0.60× (server CPU 310 → 300 µs/req, −10)',
    );
  });

  it('leaves out a side without a figure (a smoke run: the peer ran one variant)', () => {
    const cost = costOf(
      fig(800),
      { nop: fig(600) },
      { label: 'Bearer', ours: fig(1000), peers: {} },
    );
    assert.deepEqual(cost.ratios, { ours: 0.8, peers: {} });
    assert.equal(cost.note, 'vs Bearer (same run): ours 0.80×');
    assert.equal(costOf(fig(1), {}, { label: 'x', peers: {} }).note, undefined);
  });

  it('puts the cost first in a DPoP row, ratios against nop as in every row, and no goal', () => {
    const row = compare({
      scenario: 'issuance',
      variant: 'opaque + DPoP',
      mode: 'distributed',
      unit: 'req/s',
      ours: fig(900, { cpu: '98%', generatorCpu: '30%' }),
      peers: { nop: fig(450, { cpu: '99%', generatorCpu: '25%' }) },
      notes: 'distributed: 12,000 proofs pre-signed',
      baseline: { label: 'without DPoP', ours: fig(1200), peers: { nop: fig(900) } },
    });
    assert.equal(row.peers.nop.ratio, 2);
    assert.equal(row.baseline.ours, 0.75);
    assert.equal(row.baseline.peers.nop, 0.5);
    assert.deepEqual(row.goals, []);
    assert.equal(row.met, undefined);
    assert.equal(
      row.notes,
      'vs without DPoP (same run): ours 0.75×, nop 0.50×; distributed: 12,000 proofs pre-signed; ' +
        'ours CPU 98% (load generator 30%), nop CPU 99% (load generator 25%)',
    );
  });

  it('leaves a row without a baseline as it was', () => {
    const row = compare({
      scenario: 'issuance',
      variant: 'opaque',
      mode: 'embedded',
      unit: 'req/s',
      ours: fig(1200),
      peers: {},
    });
    assert.equal(row.baseline, undefined);
    assert.equal(row.notes, undefined);
  });
});
