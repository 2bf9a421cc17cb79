// GET /userinfo with a Bearer access token, opaque and JWT (tokens from the
// code flow: a user's, with openid profile email), at ours and every peer
// that has the variant.
import { cpuMeter } from '../lib/cpu.mjs';
import { codeFlow } from '../lib/flow.mjs';
import { cannon } from '../lib/load.mjs';
import { variantsFor } from '../lib/peers.mjs';
import { compare } from '../lib/rows.mjs';
import { peerFigures, peerNotes } from '../lib/series.mjs';
import { REDIRECT_URI, USER, WEB_CLIENTS, suiteTargets, withTarget } from '../lib/targets.mjs';
import { warmUp } from '../lib/warmup.mjs';

const TOKENS = 8;

/** The token's userinfo answer must be the user's. */
async function check(url, token) {
  const res = await fetch(url, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${text.slice(0, 300)}`);
  const body = JSON.parse(text);
  if (body.sub !== USER.sub || body.email !== USER.claims.email)
    throw new Error(`${url}: not the user's claims: ${text}`);
}

export default {
  name: 'userinfo',
  title: 'GET /userinfo with an opaque and a JWT access token',
  async run(ctx) {
    const { options, log } = ctx;
    const figures = {}; // target → format → measurement, or { na }
    const notes = {};
    for (const name of suiteTargets(ctx)) {
      await withTarget(name, ctx, async (target) => {
        const url = target.discovery.userinfo_endpoint;
        const { run, skipped } = variantsFor(ctx, target, 'userinfo', Object.keys(WEB_CLIENTS));
        figures[name] = Object.fromEntries(Object.entries(skipped).map(([v, na]) => [v, { na }]));
        notes[name] = {};
        for (const format of run) {
          const client = WEB_CLIENTS[format];
          const tokens = [];
          for (let i = 0; i < (ctx.smoke ? 1 : TOKENS); i++)
            tokens.push((await codeFlow(target, client, USER, REDIRECT_URI)).access_token);
          const jwt = tokens[0].split('.').length === 3;
          if (format === 'jwt' ? !jwt : jwt)
            throw new Error(`${name} ${client.client_id}: expected a ${format} access token`);
          for (const t of tokens) await check(url, t);
          const load = (duration, warmup) =>
            cannon(`${name} userinfo ${format}`, {
              url,
              requests: tokens.map((t) => ({
                method: 'GET',
                headers: { authorization: `Bearer ${t}` },
              })),
              connections: options.connections,
              duration,
              warmup,
            });
          const w = await warmUp(target.peer, ctx, async (s) => (await load(s, 0)).rps);
          const meter = cpuMeter(target.pids());
          const r = await load(options.duration, w.seconds);
          r.cpu = meter.stop();
          for (const t of tokens) await check(url, t);
          log(`userinfo ${name} ${format}: ${Math.round(r.rps)} req/s`);
          figures[name][format] = r;
          notes[name][format] = w.note;
        }
      });
    }
    const rows = [];
    for (const format of Object.keys(WEB_CLIENTS)) {
      for (const mode of ['distributed', 'embedded']) {
        rows.push(
          compare({
            scenario: 'userinfo',
            variant: format,
            label: `${format} access token`,
            mode,
            unit: 'req/s',
            ours: figures[mode][format],
            peers: peerFigures(ctx, figures, format),
            notes: peerNotes(ctx, notes, format),
          }),
        );
      }
    }
    return { rows };
  },
};
