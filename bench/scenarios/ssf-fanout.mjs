// Scenario "ssf-fanout" (issue #19): from /revoke (RFC 7009) returning to the
// token-revoked SET received by N push receivers (RFC 8935), each a
// registered client that created its own stream through the Shared Signals
// HTTP API. p50/p99 per receiver and the time until all have it (target: all
// of 1,000 within 2 s), over a few rounds, each revoking a fresh access token;
// beside it the bare limit: the same POSTs of pre-signed SETs from plain node.
// No peer offers a Shared Signals transmitter. See bench/README.md,
// "Shared Signals fan-out".
import { fork } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { cpuClock } from '../lib/cpu.mjs';
import { startOurs } from '../lib/ours.mjs';
import { waitFor } from '../lib/processes.mjs';
import { isMain, runStandalone } from '../lib/standalone.mjs';
import { SsfReceivers } from '../ssf/receivers.mjs';
import { decodeSet, setSigner, signatureVerifies } from '../ssf/set.mjs';
import { describeStages, overRounds, roundFigures, ssfRows, stagesOf } from '../ssf/summary.mjs';
import {
  createStreams,
  fetchJwks,
  freshToken,
  receiverId,
  ssfConfiguration,
  ssfSeed,
  TOKEN_REVOKED,
} from '../ssf/transmitter.mjs';

/** SET pushes in flight: the transmitter's (SSF_CONCURRENCY, its default) and the bare limit's. */
const CONCURRENCY = 512;
/**
 * The transmitter's settings for the run: loopback receivers over http
 * (allow-listed, as in development), the concurrency given explicitly so the
 * bare limit keeps matching it.
 */
const TRANSMITTER_ENV = { OUTBOUND_ALLOW: '127.0.0.1', SSF_CONCURRENCY: String(CONCURRENCY) };
/** Signatures checked per size and mode (every SET in a smoke run). */
const SIGNATURE_SAMPLE = 25;

function listOption(ctx, key, env, fallback) {
  const given = ctx.options[key] ?? process.env[env];
  return given
    ? String(given)
        .split(',')
        .map((s) => s.trim())
    : fallback;
}

/** Sizes, rounds per size and modes of this run (smoke: 10 receivers, one round, distributed). */
export function plan(ctx) {
  const sizes = ctx.smoke
    ? [10]
    : listOption(ctx, 'ssfSizes', 'BENCH_SSF_SIZES', ['100', '1000']).map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`bad sizes ${sizes}`);
  const rounds = ctx.smoke ? 1 : Number(ctx.options.ssfRounds ?? process.env.BENCH_SSF_ROUNDS ?? 3);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`bad rounds ${rounds}`);
  const modes = listOption(ctx, 'ssfModes', 'BENCH_SSF_MODES', ['distributed', 'embedded']);
  for (const m of modes)
    if (m !== 'distributed' && m !== 'embedded') throw new Error(`bad mode ${m}`);
  // SSF_SET_ALG of the transmitter (token-service signs every SET); unset: its default (RS256).
  const alg = ctx.options.ssfAlg ?? process.env.BENCH_SSF_ALG;
  if (alg !== undefined && !['RS256', 'PS256', 'ES256', 'EdDSA'].includes(alg))
    throw new Error(`bad alg ${alg}`);
  return { sizes: [...sizes].sort((a, b) => a - b), rounds, modes, alg };
}

/** Waits until `n` receivers have the awaited SET (a receiver's problem fails at once). */
async function allDelivered(receivers, n, what) {
  await waitFor(
    `${what}: all ${n} receivers`,
    async () => {
      if (receivers.problems.length) throw new Error(receivers.problems.slice(0, 5).join('\n'));
      return receivers.arrivals.size >= n;
    },
    { timeoutMs: 30_000 + n * 30, intervalMs: 5 },
  );
  return [...receivers.arrivals.values()].map((a) => a.at);
}

/** One revocation of a fresh token, timed; with the CPU each process group used meanwhile. */
async function ourRound(stack, receivers, n) {
  const token = await freshToken(stack.base);
  receivers.expect({ eventType: TOKEN_REVOKED, jti: token.jti });
  const groups = { ...stack.groups(), receivers: [process.pid] };
  const clocks = Object.entries(groups).map(([g, pids]) => [g, cpuClock(pids)]);
  const t0 = await token.revoke();
  const arrivals = await allDelivered(receivers, n, 'the token-revoked SET');
  const cpu = Object.fromEntries(clocks.map(([g, c]) => [g, (c.stop()?.seconds ?? NaN) * 1000]));
  const sets = [...receivers.arrivals.values()].map((a) => ({
    claims: decodeSet(a.compact).claims,
    at: performance.timeOrigin + a.at,
  }));
  const stages = stagesOf(sets, performance.timeOrigin + t0);
  return { ...roundFigures(arrivals, t0, n), cpu, stages, posts: receivers.posts };
}

/** Every sampled SET verifies with the transmitter's JWKS and carries txn; returns the algs seen. */
function checkSignatures(receivers, jwks, n) {
  const algs = new Set();
  const sample = receivers.sample(n);
  for (const { clientId, compact } of sample) {
    const { header, claims } = decodeSet(compact);
    if (!signatureVerifies(compact, jwks))
      throw new Error(`${clientId}: SET signature does not verify`);
    if (typeof claims.txn !== 'string' || !claims.txn)
      throw new Error(`${clientId}: SET without txn`);
    algs.add(header.alg);
  }
  return { algs: [...algs], checked: sample.length };
}

/** The bare limit: a plain node process POSTs `n` pre-signed SETs; `rounds` timed rounds after one warm-up. */
async function bareRounds({ receivers, clientIds, iss, alg, rounds }) {
  const signer = setSigner(alg);
  const child = fork(new URL('../ssf/bare-poster.mjs', import.meta.url), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = () => new Promise((resolve) => child.once('message', resolve));
  try {
    const figures = [];
    for (let r = 0; r <= rounds; r++) {
      const jti = randomUUID();
      const iat = Math.floor(Date.now() / 1000);
      const posts = clientIds.map((aud) => ({
        url: receivers.uriOf(aud),
        authorization: receivers.authorizationOf(aud),
        body: signer.sign({
          iss,
          aud,
          iat,
          jti: randomUUID(),
          txn: jti,
          events: { [TOKEN_REVOKED]: { jti, reason: 'bench' } },
        }),
      }));
      receivers.expect({ eventType: TOKEN_REVOKED, jti });
      child.send({ posts, concurrency: CONCURRENCY });
      await next(); // 'loaded'
      const done = next();
      const t0 = performance.now();
      child.send('go');
      const { failures } = await done;
      if (failures.length) throw new Error(`bare limit: ${failures.slice(0, 5).join('\n')}`);
      const arrivals = await allDelivered(receivers, clientIds.length, 'the bare limit');
      if (r > 0) figures.push(roundFigures(arrivals, t0, clientIds.length)); // round 0: warm-up
    }
    return overRounds(figures);
  } finally {
    child.send('exit');
  }
}

const ms = (n) => Math.round(n).toLocaleString('en-US');

async function runMode(mode, ctx, { sizes, rounds, alg }) {
  const { options, log, root, smoke } = ctx;
  const max = sizes.at(-1);
  const receivers = new SsfReceivers({ servers: 4 });
  await receivers.listen();
  const clientIds = Array.from({ length: max }, (_, i) => receiverId(i));
  for (const id of clientIds) receivers.add(id, `Bearer ${randomBytes(16).toString('hex')}`);
  log(`${mode}: starting ours with ${max} receivers seeded`);
  const stack = await startOurs({
    mode,
    seed: ssfSeed(max),
    options,
    root,
    log,
    env: { ...TRANSMITTER_ENV, ...(alg ? { SSF_SET_ALG: alg } : {}) },
  }).catch(async (err) => {
    await receivers.close();
    throw err;
  });
  try {
    const config = await ssfConfiguration(stack.base);
    receivers.iss = config.issuer;
    const jwks = await fetchJwks(config.jwks_uri);
    const results = [];
    let created = 0;
    for (const n of sizes) {
      log(`${mode}, ${n} receivers: creating ${n - created} streams (setup)`);
      await createStreams({
        base: stack.base,
        config,
        receivers,
        clientIds: clientIds.slice(created, n),
        log,
      });
      created = n;
      log(`${mode}, ${n} receivers: warm-up revocation (not measured)`);
      await ourRound(stack, receivers, n);
      const load = loadavg()[0].toFixed(2);
      const ours = [];
      for (let r = 1; r <= rounds; r++) {
        const round = await ourRound(stack, receivers, n);
        log(`  round ${r}: all ${n} in ${ms(round.all)} ms (p50 ${round.p50}, p99 ${round.p99})`);
        ours.push(round);
      }
      const signatures = checkSignatures(receivers, jwks, smoke ? n : SIGNATURE_SAMPLE);
      log(`${mode}, ${n} receivers: bare limit`);
      const bare = await bareRounds({
        receivers,
        clientIds: clientIds.slice(0, n),
        iss: config.issuer,
        alg: signatures.algs[0],
        rounds,
      });
      log(`  bare limit: all ${n} in ${ms(bare.all)} ms`);
      const cpu = Object.keys(ours[0].cpu)
        .map((g) => `${g} ${ms(ours.reduce((s, r) => s + r.cpu[g], 0) / ours.length)}`)
        .join(', ');
      const median = [...ours].sort((a, b) => a.all - b.all)[Math.floor((ours.length - 1) / 2)];
      results.push({
        n,
        ours: overRounds(ours),
        bare,
        notes: [
          ...(median.stages ? [`median round: ${describeStages(median.stages)}`] : []),
          `CPU ms per round (mean): ${cpu}`,
          `${signatures.algs.join('/')} SETs, ${signatures.checked} signatures verified with jwks_uri`,
          `${ours.at(-1).posts} POSTs in the last round`,
          `load avg ${load}`,
        ],
      });
    }
    return results;
  } catch (err) {
    throw new Error(`${err.message}\n${stack.logs()}`);
  } finally {
    await stack.stop();
    await receivers.close();
  }
}

const scenario = {
  name: 'ssf-fanout',
  title: 'Shared Signals fan-out: /revoke → token-revoked SET at N push receivers',
  async run(ctx) {
    const p = plan(ctx);
    const rows = [];
    const csv = [];
    for (const mode of p.modes) {
      const results = await runMode(mode, ctx, p);
      for (const r of results)
        rows.push(
          ...ssfRows({
            n: r.n,
            mode,
            ours: r.ours,
            bare: r.bare,
            rounds: p.rounds,
            notes: r.notes,
          }),
        );
      if (mode === 'distributed')
        csv.push({
          file: 'ssf-fanout.csv',
          header: [
            'receivers',
            'all_delivered_seconds',
            'p50_seconds',
            'p99_seconds',
            'bare_all_delivered_seconds',
          ],
          lines: results.map((r) =>
            [r.n, r.ours.all, r.ours.p50, r.ours.p99, r.bare.all].map((v, i) =>
              i === 0 ? v : Number((v / 1000).toFixed(3)),
            ),
          ),
        });
    }
    return { rows, csv };
  },
};

export default scenario;

if (isMain(import.meta.url))
  await runStandalone(scenario, { ssfSizes: '', ssfRounds: '', ssfModes: '', ssfAlg: '' });
