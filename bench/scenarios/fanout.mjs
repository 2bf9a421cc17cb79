// Scenario "fanout": back-channel logout to 100 / 1,000 / 5,000 RPs, the
// time until all of them have their logout token, p50/p99 per RP, and how
// it grows with the RP count. The stack and the RPs are bench/backchannel's
// (see bench/README.md, "Back-channel logout fan-out").
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { Receivers } from '../backchannel/receivers.mjs';
import { logoutAndWait, sessionJoinedBy, startStack } from '../backchannel/stack.mjs';
import { isMain, runStandalone } from '../lib/standalone.mjs';

const TARGET_MS = 2_000; // for 1,000 RPs
/** As bench:backchannel, so the 1,000-RP figure compares with its runs. */
const BACKCHANNEL = {
  BACKCHANNEL_CONCURRENCY: '256',
  BACKCHANNEL_TIMEOUT_MS: '2000',
  BACKCHANNEL_BACKOFF_BASE_MS: '100',
  BACKCHANNEL_BACKOFF_CAP_MS: '500',
  BACKCHANNEL_MAX_ATTEMPTS: '100',
  BACKCHANNEL_POLL_MS: '200',
};

const quantile = (sorted, q) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];

function sizesOf(ctx) {
  if (ctx.smoke) return [10, 30];
  const given = ctx.options.fanoutSizes ?? process.env.BENCH_FANOUT_SIZES;
  const sizes = given ? String(given).split(',').map(Number) : [100, 1_000, 5_000];
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`bad sizes ${given}`);
  return sizes.sort((a, b) => a - b);
}

const scenario = {
  name: 'fanout',
  title: 'Back-channel logout fan-out: one logout, N RPs',
  async run(ctx) {
    const { options, log, root } = ctx;
    const sizes = sizesOf(ctx);
    const max = sizes.at(-1);
    const rps = new Receivers();
    await rps.listen();
    const clientIds = Array.from({ length: max }, (_, i) => `rp-${String(i).padStart(5, '0')}`);
    log(`starting token-service and session-service with ${max} RPs (seeding takes a while)`);
    let stack;
    try {
      stack = await startStack(
        { ...options, root, runId: randomBytes(4).toString('hex'), log, alg: 'RS256' },
        clientIds.map((clientId) => ({ clientId, uri: rps.uriOf(clientId) })),
        BACKCHANNEL,
      );
      const results = [];
      for (const n of sizes) {
        const ids = clientIds.slice(0, n);
        log(`${n} RPs: session joined by every one`);
        // Setup, not measured; quadratic in n (each join loads the session's stream).
        const sid = await sessionJoinedBy(stack.rpc, ids, log, Math.max(300_000, n * n * 0.1));
        rps.reset();
        const load = loadavg()[0].toFixed(2);
        const t0 = await logoutAndWait(stack, rps, ids, sid, 60_000 + n * 60);
        const delivered = ids.map((c) => rps.first.get(c).at - t0).sort((a, b) => a - b);
        const r = {
          n,
          all: delivered.at(-1),
          p50: quantile(delivered, 0.5),
          p99: quantile(delivered, 0.99),
          load,
          posts: rps.posts, // > n: retried after a timeout (at-least-once), the same jti
        };
        log(`  all ${n} delivered in ${r.all} ms (p50 ${r.p50}, p99 ${r.p99})`);
        results.push(r);
      }
      const rows = results.map((r) => ({
        scenario: 'fanout',
        variant: `${r.n.toLocaleString('en-US')} RPs`,
        mode: 'distributed',
        ours: r.all,
        unit: 'ms (all delivered)',
        p50: r.p50,
        p99: r.p99,
        errors: 0,
        ...(r.n === 1_000
          ? { target: `< ${TARGET_MS.toLocaleString('en-US')} ms`, met: r.all < TARGET_MS }
          : {}),
        notes:
          `from endSession to each RP's token (session.ended → Kafka → sign in token-service → POST); ` +
          `RS256 logout tokens, BACKCHANNEL_CONCURRENCY=${BACKCHANNEL.BACKCHANNEL_CONCURRENCY}; ` +
          `${r.posts} POSTs; load avg ${r.load}`,
      }));
      return {
        rows,
        csv: [
          {
            file: 'fanout.csv',
            header: ['rps', 'seconds', 'p50_seconds', 'p99_seconds'],
            lines: results.map((r) => [r.n, r.all / 1000, r.p50 / 1000, r.p99 / 1000]),
          },
        ],
      };
    } finally {
      await stack?.stop();
      await rps.close();
    }
  },
};

export default scenario;

if (isMain(import.meta.url)) await runStandalone(scenario, { fanoutSizes: '' });
