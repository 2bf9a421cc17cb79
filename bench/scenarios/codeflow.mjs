// The authorization code flow with PKCE, whole (authorize → login form POST
// with an scrypt password check → consent skipped → redirect → token), in
// flows per second; then refresh-token rotation per second. Closed loops of
// concurrent "browsers"/RPs (bench/lib/load.mjs), each step checked; at ours
// and every peer.
import { cpuMeter } from '../lib/cpu.mjs';
import { codeFlow, refresh } from '../lib/flow.mjs';
import { closedLoop } from '../lib/load.mjs';
import { variantsFor } from '../lib/peers.mjs';
import { compare } from '../lib/rows.mjs';
import { peerFigures, peerNotes } from '../lib/series.mjs';
import { REDIRECT_URI, USER, WEB_CLIENTS, suiteTargets, withTarget } from '../lib/targets.mjs';
import { warmUp } from '../lib/warmup.mjs';

const FLOW = 'code flow';
const ROTATION = 'refresh rotation';
// Logins are bound by scrypt (~100 ms of one core each, 4 libuv threads):
// more concurrent flows only queue.
export const FLOW_CONCURRENCY = 8;
const client = WEB_CLIENTS.opaque;

export default {
  name: 'codeflow',
  title: 'Authorization code flow with PKCE (flows/s) and refresh-token rotation (rotations/s)',
  async run(ctx) {
    const { options, log } = ctx;
    const refreshers = Math.min(options.connections, ctx.smoke ? 2 : 32);
    const concurrency = ctx.smoke ? 2 : FLOW_CONCURRENCY;
    const figures = {}; // target → variant → measurement, or { na }
    const notes = {};
    for (const name of suiteTargets(ctx)) {
      await withTarget(name, ctx, async (target) => {
        const { run, skipped } = variantsFor(ctx, target, 'codeflow', [FLOW, ROTATION]);
        figures[name] = Object.fromEntries(Object.entries(skipped).map(([v, na]) => [v, { na }]));
        notes[name] = {};
        if (run.includes(FLOW)) {
          const flows = (duration, warmup) =>
            closedLoop(`${name} code flow`, {
              concurrency,
              duration,
              warmup,
              op: () => codeFlow(target, client, USER, REDIRECT_URI),
            });
          const w = await warmUp(target.peer, ctx, async (s) => (await flows(s, 0)).rps);
          const meter = cpuMeter(target.pids());
          const r = await flows(options.duration, w.seconds);
          r.cpu = meter.stop();
          log(`codeflow ${name}: ${r.rps.toFixed(1)} flows/s, p50 ${r.p50} ms`);
          figures[name][FLOW] = r;
          notes[name][FLOW] = w.note;
        }
        if (run.includes(ROTATION)) {
          // One refresh-token chain per worker, each rotated back to back.
          const chains = [];
          for (let i = 0; i < refreshers; i++)
            chains.push((await codeFlow(target, client, USER, REDIRECT_URI)).refresh_token);
          const rotations = (duration, warmup) =>
            closedLoop(`${name} refresh rotation`, {
              concurrency: refreshers,
              duration,
              warmup,
              op: async (worker) => {
                chains[worker] = (await refresh(target, client, chains[worker])).refresh_token;
              },
            });
          const w = await warmUp(target.peer, ctx, async (s) => (await rotations(s, 0)).rps);
          const meter = cpuMeter(target.pids());
          const r = await rotations(options.duration, w.seconds);
          r.cpu = meter.stop();
          log(`codeflow ${name}: ${Math.round(r.rps)} refresh rotations/s`);
          figures[name][ROTATION] = r;
          notes[name][ROTATION] = w.note;
        }
      });
    }
    const rows = [];
    for (const mode of ['distributed', 'embedded']) {
      rows.push(
        compare({
          scenario: 'codeflow',
          variant: FLOW,
          label: 'authorize → login → token (PKCE, opaque AT)',
          mode,
          unit: 'flows/s',
          ours: figures[mode][FLOW],
          peers: peerFigures(ctx, figures, FLOW),
          notes: [
            `${concurrency} concurrent flows; ours and nop check an scrypt (N=2^17) password`,
            peerNotes(ctx, notes, FLOW),
          ]
            .filter(Boolean)
            .join('; '),
        }),
      );
    }
    for (const mode of ['distributed', 'embedded']) {
      rows.push(
        compare({
          scenario: 'codeflow',
          variant: ROTATION,
          label: 'refresh-token rotation',
          mode,
          unit: 'rotations/s',
          ours: figures[mode][ROTATION],
          peers: peerFigures(ctx, figures, ROTATION),
          notes: [`${refreshers} concurrent refresh-token chains`, peerNotes(ctx, notes, ROTATION)]
            .filter(Boolean)
            .join('; '),
        }),
      );
    }
    return { rows };
  },
};
