// GET /userinfo with a Bearer access token, opaque and JWT (tokens from the
// code flow: a user's, with openid profile email).
import { cpuMeter } from '../lib/cpu.mjs';
import { codeFlow } from '../lib/flow.mjs';
import { cannon } from '../lib/load.mjs';
import { compare } from '../lib/rows.mjs';
import { REDIRECT_URI, USER, WEB_CLIENTS, withTarget } from '../lib/targets.mjs';

const MODES = ['distributed', 'embedded', 'peer'];
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
    const figures = {};
    for (const mode of MODES) {
      await withTarget(mode, ctx, async (target) => {
        const url = target.discovery.userinfo_endpoint;
        figures[mode] = {};
        for (const [format, client] of Object.entries(WEB_CLIENTS)) {
          const tokens = [];
          for (let i = 0; i < (ctx.smoke ? 1 : TOKENS); i++)
            tokens.push((await codeFlow(target, client, USER, REDIRECT_URI)).access_token);
          const jwt = tokens[0].split('.').length === 3;
          if (format === 'jwt' && !jwt) {
            // node-oidc-provider issues JWT access tokens only for a resource
            // server (resource indicator), and its userinfo refuses tokens with
            // another audience: there is no JWT userinfo to measure.
            log(`userinfo ${mode} jwt: not measured, its code-flow access tokens are opaque`);
            continue;
          }
          if (format === 'jwt' ? !jwt : jwt)
            throw new Error(`${client.client_id}: expected a ${format} access token`);
          for (const t of tokens) await check(url, t);
          const meter = cpuMeter(target.pids());
          const r = await cannon(`${mode} userinfo ${format}`, {
            url,
            requests: tokens.map((t) => ({
              method: 'GET',
              headers: { authorization: `Bearer ${t}` },
            })),
            connections: options.connections,
            duration: options.duration,
            warmup: options.warmup,
          });
          r.cpu = meter.stop();
          for (const t of tokens) await check(url, t);
          log(`userinfo ${mode} ${format}: ${Math.round(r.rps)} req/s`);
          figures[mode][format] = r;
        }
      });
    }
    const rows = [];
    for (const format of Object.keys(WEB_CLIENTS)) {
      for (const mode of ['distributed', 'embedded']) {
        rows.push(
          compare({
            scenario: 'userinfo',
            variant: `${format} access token`,
            mode,
            unit: 'req/s',
            ours: figures[mode][format],
            peer: figures.peer[format],
            notes: figures.peer[format]
              ? undefined
              : 'peer n/a: node-oidc-provider issues JWT access tokens only for resource servers, not for its userinfo',
          }),
        );
      }
    }
    return { rows };
  },
};
