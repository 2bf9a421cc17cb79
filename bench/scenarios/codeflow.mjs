// The authorization code flow with PKCE, whole (authorize → login form POST
// with an scrypt password check → consent skipped → redirect → token), in
// flows per second; then refresh-token rotation per second. Closed loops of
// concurrent "browsers"/RPs (bench/lib/load.mjs), each step checked.
import { cpuMeter } from '../lib/cpu.mjs';
import { codeFlow, refresh } from '../lib/flow.mjs';
import { closedLoop } from '../lib/load.mjs';
import { compare } from '../lib/rows.mjs';
import { REDIRECT_URI, USER, WEB_CLIENTS, withTarget } from '../lib/targets.mjs';

const MODES = ['distributed', 'embedded', 'peer'];
// Logins are bound by scrypt (~100 ms of one core each, 4 libuv threads):
// more concurrent flows only queue.
const FLOW_CONCURRENCY = 8;
const client = WEB_CLIENTS.opaque;

export default {
  name: 'codeflow',
  title: 'Authorization code flow with PKCE (flows/s) and refresh-token rotation (rotations/s)',
  async run(ctx) {
    const { options, log } = ctx;
    const refreshers = Math.min(options.connections, ctx.smoke ? 2 : 32);
    const concurrency = ctx.smoke ? 2 : FLOW_CONCURRENCY;
    const figures = {};
    for (const mode of MODES) {
      await withTarget(mode, ctx, async (target) => {
        let meter = cpuMeter(target.pids());
        const flows = await closedLoop(`${mode} code flow`, {
          concurrency,
          duration: options.duration,
          warmup: options.warmup,
          op: () => codeFlow(target, client, USER, REDIRECT_URI),
        });
        flows.cpu = meter.stop();
        log(`codeflow ${mode}: ${flows.rps.toFixed(1)} flows/s, p50 ${flows.p50} ms`);
        // One refresh-token chain per worker, each rotated back to back.
        const chains = [];
        for (let i = 0; i < refreshers; i++)
          chains.push((await codeFlow(target, client, USER, REDIRECT_URI)).refresh_token);
        meter = cpuMeter(target.pids());
        const rotations = await closedLoop(`${mode} refresh rotation`, {
          concurrency: refreshers,
          duration: options.duration,
          warmup: options.warmup,
          op: async (w) => {
            chains[w] = (await refresh(target, client, chains[w])).refresh_token;
          },
        });
        rotations.cpu = meter.stop();
        log(`codeflow ${mode}: ${Math.round(rotations.rps)} refresh rotations/s`);
        figures[mode] = { flows, rotations };
      });
    }
    const rows = [];
    for (const mode of ['distributed', 'embedded']) {
      rows.push(
        compare({
          scenario: 'codeflow',
          variant: 'authorize → login → token (PKCE, opaque AT)',
          mode,
          unit: 'flows/s',
          ours: figures[mode].flows,
          peer: figures.peer.flows,
          notes: `${concurrency} concurrent flows; both sides check an scrypt (N=2^17) password`,
        }),
      );
    }
    for (const mode of ['distributed', 'embedded']) {
      rows.push(
        compare({
          scenario: 'codeflow',
          variant: 'refresh-token rotation',
          mode,
          unit: 'rotations/s',
          ours: figures[mode].rotations,
          peer: figures.peer.rotations,
          notes: `${refreshers} concurrent refresh-token chains`,
        }),
      );
    }
    return { rows };
  },
};
