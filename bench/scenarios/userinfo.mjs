// GET /userinfo with a Bearer access token, opaque and JWT (tokens from the
// code flow: a user's, with openid profile email), and with a DPoP-bound
// token of each format (`Authorization: DPoP`, a fresh proof with `ath` per
// request; RFC 9449, issue #17), at ours and every peer that has the
// variant. A DPoP row is compared with its format's Bearer row.
import { cpuMeter } from '../lib/cpu.mjs';
import { athOf, ProofPool, proofKey, proofsNeeded, signProof, withProofs } from '../lib/dpop.mjs';
import { codeFlow } from '../lib/flow.mjs';
import { cannon } from '../lib/load.mjs';
import { variantsFor } from '../lib/peers.mjs';
import { compare } from '../lib/rows.mjs';
import { peerFigures, peerNotes } from '../lib/series.mjs';
import { REDIRECT_URI, USER, WEB_CLIENTS, suiteTargets, withTarget } from '../lib/targets.mjs';
import { warmUp } from '../lib/warmup.mjs';

const TOKENS = 8;
/** The DPoP variants → the Bearer variant (same client, same format) they are compared with. */
export const DPOP_VARIANTS = { 'opaque + DPoP': 'opaque', 'jwt + DPoP': 'jwt' };
const VARIANTS = [...Object.keys(WEB_CLIENTS), ...Object.keys(DPOP_VARIANTS)];
const FALLBACK_RATE = 5000;

/**
 * The token's userinfo answer must be the user's. With `key` (a DPoP-bound
 * token): sent as `DPoP` with a proof, and refused when presented as Bearer.
 */
async function check(url, token, key) {
  const get = (headers) => fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
  const res = await get(
    key
      ? {
          authorization: `DPoP ${token}`,
          dpop: signProof(key, { htm: 'GET', htu: url, ath: athOf(token) }),
        }
      : { authorization: `Bearer ${token}` },
  );
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${text.slice(0, 300)}`);
  const body = JSON.parse(text);
  if (body.sub !== USER.sub || body.email !== USER.claims.email)
    throw new Error(`${url}: not the user's claims: ${text}`);
  if (key) {
    const bearer = await get({ authorization: `Bearer ${token}` });
    await bearer.arrayBuffer();
    if (bearer.status !== 401)
      throw new Error(`${url}: a DPoP-bound token as Bearer got ${bearer.status}, not 401`);
  }
}

export default {
  name: 'userinfo',
  title: 'GET /userinfo with an opaque and a JWT access token, Bearer and DPoP-bound',
  async run(ctx) {
    const { options, log } = ctx;
    const figures = {}; // target → format → measurement, or { na }
    const notes = {};
    for (const name of suiteTargets(ctx)) {
      await withTarget(name, ctx, async (target) => {
        const url = target.discovery.userinfo_endpoint;
        const { run, skipped } = variantsFor(ctx, target, 'userinfo', VARIANTS);
        figures[name] = Object.fromEntries(Object.entries(skipped).map(([v, na]) => [v, { na }]));
        notes[name] = {};
        for (const variant of run) {
          const plain = DPOP_VARIANTS[variant];
          const format = plain ?? variant;
          const client = WEB_CLIENTS[format];
          // DPoP: the tokens are bound to one key (the code exchanged with its proof).
          const key = plain && proofKey();
          const tokens = [];
          for (let i = 0; i < (ctx.smoke ? 1 : TOKENS); i++)
            tokens.push(
              (await codeFlow(target, client, USER, REDIRECT_URI, { dpopKey: key })).access_token,
            );
          const jwt = tokens[0].split('.').length === 3;
          if (format === 'jwt' ? !jwt : jwt)
            throw new Error(`${name} ${client.client_id}: expected a ${format} access token`);
          for (const t of tokens) await check(url, t, key);
          // One pool per token: each proof's ath is its token's hash.
          const pools =
            key && tokens.map((t) => new ProofPool(key, { htm: 'GET', htu: url, ath: athOf(t) }));
          const requests = tokens.map((t, i) =>
            pools
              ? withProofs({ method: 'GET', headers: { authorization: `DPoP ${t}` } }, pools[i])
              : { method: 'GET', headers: { authorization: `Bearer ${t}` } },
          );
          const load = (duration, warmup) =>
            cannon(`${name} userinfo ${variant}`, {
              url,
              requests,
              connections: options.connections,
              duration,
              warmup,
              pids: target.pids(),
              // Each connection cycles through the tokens: each pool gets its share, plus slack.
              prepare:
                pools &&
                (({ seconds, rate }) => {
                  const all = proofsNeeded(
                    rate ?? figures[name][plain]?.rps ?? FALLBACK_RATE,
                    seconds,
                  );
                  for (const p of pools)
                    p.fill(Math.ceil(all / pools.length) + options.connections);
                }),
            });
          const w = await warmUp(target.peer, ctx, async (s) => (await load(s, 0)).rps);
          const meter = cpuMeter(target.pids());
          const r = await load(options.duration, w.seconds);
          r.cpu = meter.stop();
          for (const t of tokens) await check(url, t, key);
          log(
            `userinfo ${name} ${variant}: ${Math.round(r.rps)} req/s (server CPU ${r.cpu}, load generator ${r.generatorCpu})`,
          );
          figures[name][variant] = r;
          notes[name][variant] = [w.note, pools && `${name}: ${ProofPool.describe(pools)}`]
            .filter(Boolean)
            .join('; ');
        }
      });
    }
    const rows = [];
    for (const variant of VARIANTS) {
      const plain = DPOP_VARIANTS[variant];
      for (const mode of ['distributed', 'embedded']) {
        rows.push(
          compare({
            scenario: 'userinfo',
            variant,
            label: plain ? `${plain} access token, DPoP` : `${variant} access token`,
            mode,
            unit: 'req/s',
            ours: figures[mode][variant],
            peers: peerFigures(ctx, figures, variant),
            notes: [notes[mode][variant], peerNotes(ctx, notes, variant)]
              .filter(Boolean)
              .join('; '),
            baseline: plain && {
              label: 'Bearer',
              ours: figures[mode][plain],
              peers: peerFigures(ctx, figures, plain),
            },
          }),
        );
      }
    }
    return { rows };
  },
};
