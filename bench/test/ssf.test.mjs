// The Shared Signals fan-out's pure pieces (bench/ssf/) and its receivers and
// bare-limit poster on loopback: SET checks and signatures, the figures and
// rows, the plan. No servers of ours needed.
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { SsfReceivers } from '../ssf/receivers.mjs';
import { decodeSet, revokes, setProblem, setSigner, signatureVerifies } from '../ssf/set.mjs';
import {
  describeStages,
  overRounds,
  quantile,
  roundFigures,
  ssfRows,
  stagesOf,
  TARGET,
  uuidv7Ms,
} from '../ssf/summary.mjs';
import { inPool, TOKEN_REVOKED } from '../ssf/transmitter.mjs';

const claims = (over = {}) => ({
  iss: 'http://issuer.test',
  aud: 'rx-1',
  iat: 1_700_000_000,
  jti: 'set-1',
  txn: 'event-1',
  events: { [TOKEN_REVOKED]: { jti: 'at-1', grant_id: 'g-1' } },
  ...over,
});

describe('SET signatures (bench/ssf/set.mjs)', () => {
  for (const alg of ['RS256', 'PS256', 'ES256', 'EdDSA']) {
    it(`verifies an ${alg} SET with its JWKS and refuses a tampered one`, () => {
      const signer = setSigner(alg);
      const compact = signer.sign(claims());
      assert.equal(signatureVerifies(compact, signer.jwks), true);
      const [h, , s] = compact.split('.');
      const forged = `${h}.${Buffer.from(JSON.stringify(claims({ aud: 'rx-2' }))).toString('base64url')}.${s}`;
      assert.equal(signatureVerifies(forged, signer.jwks), false);
    });
  }

  it('refuses a signature by another key with the same kid, and a kid not in the JWKS', () => {
    const ours = setSigner('ES256');
    const other = setSigner('ES256');
    const compact = other.sign(claims());
    const kid = decodeSet(compact).header.kid;
    const swapped = { keys: [{ ...ours.jwks.keys[0], kid }] };
    assert.equal(signatureVerifies(compact, swapped), false);
    assert.throws(() => signatureVerifies(compact, ours.jwks), /no key/);
  });
});

describe('SET claims (bench/ssf/set.mjs)', () => {
  const decoded = (c, typ = 'secevent+jwt') => ({ header: { typ }, claims: c });
  const expect = { aud: 'rx-1', iss: 'http://issuer.test', eventType: TOKEN_REVOKED };

  it('accepts a well-formed SET for its receiver (aud a string or an array)', () => {
    assert.equal(setProblem(decoded(claims()), expect), undefined);
    assert.equal(setProblem(decoded(claims({ aud: ['rx-0', 'rx-1'] })), expect), undefined);
  });

  it('names what is wrong: typ, aud, iss, jti, iat, the event', () => {
    assert.match(setProblem(decoded(claims(), 'JWT'), expect), /typ/);
    assert.match(setProblem(decoded(claims({ aud: 'rx-2' })), expect), /aud/);
    assert.match(setProblem(decoded(claims({ iss: 'http://evil.test' })), expect), /iss/);
    assert.match(setProblem(decoded(claims({ jti: undefined })), expect), /jti/);
    assert.match(setProblem(decoded(claims({ iat: '1' })), expect), /iat/);
    assert.match(setProblem(decoded(claims({ events: { other: {} } })), expect), /no urn/);
  });

  it('tells the awaited revocation from another: the exact jti, not a prefix of it', () => {
    assert.equal(revokes(decoded(claims()), TOKEN_REVOKED, 'at-1'), true);
    assert.equal(revokes(decoded(claims()), TOKEN_REVOKED, 'at-'), false);
    assert.equal(revokes(decoded(claims()), 'urn:other', 'at-1'), false);
  });
});

describe('figures and rows (bench/ssf/summary.mjs)', () => {
  it('takes nearest-rank quantiles', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(quantile(xs, 0.5), 50);
    assert.equal(quantile(xs, 0.99), 99);
    assert.equal(quantile([7], 0.99), 7);
    assert.equal(quantile([], 0.5), undefined);
  });

  it('times a round from t0 and refuses a round with a receiver missing', () => {
    const r = roundFigures([1010, 1003, 1500.04], 1000, 3);
    assert.deepEqual([r.all, r.p50], [500, 10]);
    assert.throws(() => roundFigures([1010], 1000, 2), /1 of 2 receivers/);
  });

  it('takes the median round as all-delivered, keeps the worst, pools the receivers', () => {
    const rounds = [
      roundFigures([1100, 1200], 1000, 2),
      roundFigures([1100, 1900], 1000, 2),
      roundFigures([1100, 1300], 1000, 2),
    ];
    const o = overRounds(rounds);
    assert.deepEqual([o.all, o.worst, o.alls], [300, 900, [200, 900, 300]]);
    assert.equal(o.p50, 100);
    assert.equal(o.p99, 900);
  });

  const figures = (alls) => ({ ...overRounds(alls.map((a) => roundFigures([1000 + a], 1000, 1))) });

  it('judges the 1,000-receiver row on every round: one round over 2 s misses it', () => {
    const [met] = ssfRows({
      n: 1000,
      mode: 'distributed',
      ours: figures([900, 1000, 1100]),
      rounds: 3,
    });
    assert.equal(met.met, true);
    assert.equal(met.target, '< 2,000 ms');
    const [missed] = ssfRows({
      n: 1000,
      mode: 'distributed',
      ours: figures([900, 1000, 2100]),
      rounds: 3,
    });
    assert.equal(missed.ours, 1000);
    assert.equal(missed.met, false);
    assert.deepEqual(missed.missed, ['< 2,000 ms']);
    const [other] = ssfRows({
      n: TARGET.receivers / 10,
      mode: 'distributed',
      ours: figures([5000]),
      rounds: 1,
    });
    assert.equal(other.met, undefined);
  });

  it('puts the bare limit beside ours and in its own row; no peer, said in the notes', () => {
    const rows = ssfRows({
      n: 1000,
      mode: 'distributed',
      ours: figures([1200]),
      bare: figures([300]),
      rounds: 1,
      notes: ['CPU …'],
    });
    assert.equal(rows.length, 2);
    assert.equal(rows[0].bare, 300);
    assert.equal(rows[0].ratioBare, 4);
    assert.deepEqual(rows[0].peers, {});
    assert.match(rows[0].notes, /median of 1 round \(1,200 ms\)/);
    assert.match(rows[0].notes, /ratio of times.*; CPU …; no peer/);
    assert.equal(rows[1].ours, undefined);
    assert.equal(rows[1].bare, 300);
    assert.equal(rows[1].mode, 'plain node');
  });
});

describe('stages from the SETs (bench/ssf/summary.mjs)', () => {
  // A UUIDv7 whose timestamp is `ms` (RFC 9562 5.7: 48 bits of ms, version 7, variant 10).
  const v7 = (ms) => {
    const h = ms.toString(16).padStart(12, '0');
    return `${h.slice(0, 8)}-${h.slice(8)}-7abc-8def-0123456789ab`;
  };

  it('reads the timestamp of a UUIDv7 and nothing else', () => {
    assert.equal(uuidv7Ms(v7(1_765_000_000_123)), 1_765_000_000_123);
    assert.equal(uuidv7Ms('0190e4f8-1c2a-4abc-8def-0123456789ab'), undefined); // v4
    assert.equal(uuidv7Ms('not-a-uuid'), undefined);
    assert.equal(uuidv7Ms(undefined), undefined);
  });

  it('places the event, the queueing and the arrivals relative to /revoke', () => {
    const t0 = 1_765_000_001_000;
    const set = (queued, at) => ({ claims: { txn: v7(t0 - 20), jti: v7(queued) }, at });
    const s = stagesOf([set(t0 + 12, t0 + 600), set(t0 + 15, t0 + 1200)], t0);
    assert.deepEqual(s, {
      event: -20,
      queuedFirst: 12,
      queuedLast: 15,
      firstSet: 600,
      lastSet: 1200,
    });
    assert.equal(
      describeStages(s),
      'revocation event −20 ms, SETs queued +12…+15 ms, received +600…+1,200 ms',
    );
    assert.equal(stagesOf([{ claims: { txn: 'x', jti: v7(t0) }, at: t0 }], t0), undefined);
    assert.equal(stagesOf([], t0), undefined);
  });
});

describe('receivers and the bare-limit poster on loopback', () => {
  const receivers = new SsfReceivers({ servers: 2, iss: 'http://issuer.test' });
  const signer = setSigner('ES256');
  const push = (aud, body, headers = {}) =>
    fetch(receivers.uriOf(aud), {
      method: 'POST',
      headers: {
        'content-type': 'application/secevent+jwt',
        authorization: receivers.authorizationOf(aud),
        ...headers,
      },
      body,
    });

  before(async () => {
    await receivers.listen();
    for (const id of ['rx-1', 'rx-2', 'rx-3']) receivers.add(id, `Bearer secret-of-${id}`);
  });
  after(() => receivers.close());

  it('spreads the receivers over the servers, one URL each', () => {
    const urls = ['rx-1', 'rx-2', 'rx-3'].map((id) => receivers.uriOf(id));
    assert.equal(new Set(urls).size, 3);
    assert.equal(new Set(urls.map((u) => new URL(u).port)).size, 2);
  });

  it('answers 202, records the awaited SET once, counts the others', async () => {
    receivers.expect({ eventType: TOKEN_REVOKED, jti: 'at-1' });
    const set = signer.sign(claims());
    assert.equal((await push('rx-1', set)).status, 202);
    assert.equal((await push('rx-1', set)).status, 202); // a retry: the same jti
    const verification = signer.sign(claims({ jti: 'set-v', events: { 'urn:verification': {} } }));
    assert.equal((await push('rx-1', verification)).status, 202);
    assert.equal(receivers.arrivals.size, 1);
    assert.equal(receivers.arrivals.get('rx-1').jti, 'set-1');
    assert.equal(receivers.others, 1);
    assert.equal(receivers.posts, 3);
    assert.deepEqual(receivers.problems, []);
    assert.equal(signatureVerifies(receivers.sample(5)[0].compact, signer.jwks), true);
  });

  it('refuses what an attacker or a broken transmitter sends, and records the problem', async () => {
    receivers.expect({ eventType: TOKEN_REVOKED, jti: 'at-1' });
    const set = signer.sign(claims());
    assert.equal((await push('rx-1', set, { authorization: 'Bearer secret-of-rx-2' })).status, 401);
    assert.equal((await push('rx-2', set)).status, 400); // aud rx-1 at rx-2
    assert.equal((await push('rx-1', set, { 'content-type': 'application/jwt' })).status, 400);
    assert.equal((await push('rx-1', 'not.a-set')).status, 400);
    const res = await fetch(receivers.uriOf('rx-1').replace('rx-1', 'rx-9'), {
      method: 'POST',
      body: set,
    });
    assert.equal(res.status, 404);
    assert.equal(receivers.arrivals.size, 0);
    assert.equal(receivers.problems.length, 5);
    receivers.problems.length = 0;
    assert.equal((await push('rx-1', set)).status, 202);
    const another = signer.sign(claims({ jti: 'set-2' }));
    assert.equal((await push('rx-1', another)).status, 400);
    assert.match(receivers.problems[0], /a second SET/);
    receivers.problems.length = 0;
  });

  it('the bare-limit poster delivers pre-signed SETs to every receiver', async () => {
    receivers.expect({ eventType: TOKEN_REVOKED, jti: 'at-bare' });
    const child = fork(new URL('../ssf/bare-poster.mjs', import.meta.url), [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const next = () => new Promise((resolve) => child.once('message', resolve));
    const ids = ['rx-1', 'rx-2', 'rx-3'];
    child.send({
      concurrency: 2,
      posts: ids.map((aud) => ({
        url: receivers.uriOf(aud),
        authorization: receivers.authorizationOf(aud),
        body: signer.sign(
          claims({ aud, jti: `set-${aud}`, events: { [TOKEN_REVOKED]: { jti: 'at-bare' } } }),
        ),
      })),
    });
    assert.equal(await next(), 'loaded');
    child.send('go');
    assert.deepEqual(await next(), { done: true, failures: [] });
    child.send('exit');
    assert.deepEqual([...receivers.arrivals.keys()].sort(), ids);
  });
});

describe('inPool (bench/ssf/transmitter.mjs)', () => {
  it('runs every item with at most `concurrency` at once', async () => {
    let running = 0;
    let most = 0;
    const seen = [];
    await inPool([1, 2, 3, 4, 5], 2, async (x) => {
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, 5));
      seen.push(x);
      running--;
    });
    assert.equal(most, 2);
    assert.deepEqual(seen.sort(), [1, 2, 3, 4, 5]);
  });
});

describe('plan (bench/scenarios/ssf-fanout.mjs)', async () => {
  const { plan } = await import('../scenarios/ssf-fanout.mjs');
  it('runs 10 receivers once in a smoke run, 100 and 1,000 three times otherwise', () => {
    assert.deepEqual(plan({ smoke: true, options: {} }).sizes, [10]);
    assert.equal(plan({ smoke: true, options: {} }).rounds, 1);
    const full = plan({ smoke: false, options: {} });
    assert.deepEqual(
      [full.sizes, full.rounds, full.modes],
      [[100, 1000], 3, ['distributed', 'embedded']],
    );
  });

  it('takes sizes, rounds and modes from the options, and refuses nonsense', () => {
    const p = plan({
      smoke: false,
      options: { ssfSizes: '1000,50', ssfRounds: '5', ssfModes: 'embedded' },
    });
    assert.deepEqual([p.sizes, p.rounds, p.modes], [[50, 1000], 5, ['embedded']]);
    assert.throws(() => plan({ smoke: false, options: { ssfSizes: '10,x' } }), /bad sizes/);
    assert.throws(() => plan({ smoke: false, options: { ssfRounds: '0' } }), /bad rounds/);
    assert.throws(() => plan({ smoke: false, options: { ssfModes: 'cluster' } }), /bad mode/);
    assert.equal(plan({ smoke: false, options: {} }).alg, undefined);
    assert.equal(plan({ smoke: false, options: { ssfAlg: 'ES256' } }).alg, 'ES256');
    assert.throws(() => plan({ smoke: false, options: { ssfAlg: 'none' } }), /bad alg/);
  });
});
