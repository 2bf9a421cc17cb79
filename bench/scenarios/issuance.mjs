// Token issuance, client_credentials: opaque, JWT ES256, JWT RS256, each at
// ours (distributed and embedded) and every peer that has the variant; then
// the scaling curve of the JWT ES256 variant at 1, 8, 32, 64, 128
// connections, every target in one CSV.
import { cpuMeter } from '../lib/cpu.mjs';
import { cannon } from '../lib/load.mjs';
import { basicAuth, clientCredentials } from '../lib/oauth.mjs';
import { variantsFor } from '../lib/peers.mjs';
import { CC_CLIENTS, suiteTargets, withTarget } from '../lib/targets.mjs';
import { compare, CURVE_CONNECTIONS } from '../lib/rows.mjs';
import { curveCsv, peerFigures, peerNotes } from '../lib/series.mjs';
import { warmUp } from '../lib/warmup.mjs';

const CURVE_VARIANT = 'JWT ES256';

function requestsFor(client) {
  return [
    {
      method: 'POST',
      headers: {
        authorization: basicAuth(client.client_id, client.client_secret),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials&scope=api%3Aread',
    },
  ];
}

/** A token from the endpoint before and after the load, of the expected shape. */
async function check(url, variant, client) {
  const token = await clientCredentials(url, basicAuth(client.client_id, client.client_secret), {
    scope: 'api:read',
  });
  const parts = token.split('.');
  if (variant === 'opaque') return;
  const alg = parts.length === 3 && JSON.parse(Buffer.from(parts[0], 'base64url')).alg;
  if (alg !== client.access_token_signed_response_alg)
    throw new Error(
      `${variant}: expected a JWT signed with ${client.access_token_signed_response_alg}, got alg ${alg}`,
    );
}

export default {
  name: 'issuance',
  title: 'Token issuance, client_credentials (POST /token)',
  async run(ctx) {
    const { options, log } = ctx;
    const figures = {}; // target → variant → measurement, or { na }
    const notes = {}; // target → variant → warm-up note
    const curve = {}; // target → connections → req/s
    for (const name of suiteTargets(ctx)) {
      await withTarget(name, ctx, async (target) => {
        const url = target.discovery.token_endpoint;
        const { run, skipped } = variantsFor(ctx, target, 'issuance', Object.keys(CC_CLIENTS));
        figures[name] = Object.fromEntries(Object.entries(skipped).map(([v, na]) => [v, { na }]));
        notes[name] = {};
        for (const variant of run) {
          const client = CC_CLIENTS[variant];
          const load = (duration, warmup) =>
            cannon(`${name} ${variant}`, {
              url,
              requests: requestsFor(client),
              connections: options.connections,
              duration,
              warmup,
            });
          await check(url, variant, client);
          const w = await warmUp(target.peer, ctx, async (s) => (await load(s, 0)).rps);
          const meter = cpuMeter(target.pids());
          const r = await load(options.duration, w.seconds);
          r.cpu = meter.stop();
          await check(url, variant, client);
          log(`issuance ${name} ${variant}: ${Math.round(r.rps)} req/s (server CPU ${r.cpu})`);
          figures[name][variant] = r;
          notes[name][variant] = w.note;
        }
        if (!run.includes(CURVE_VARIANT)) return;
        curve[name] = {};
        for (const connections of options.curveConnections ?? CURVE_CONNECTIONS) {
          const r = await cannon(`${name} ${CURVE_VARIANT} at ${connections} connections`, {
            url,
            requests: requestsFor(CC_CLIENTS[CURVE_VARIANT]),
            connections,
            duration: options.curveDuration,
            warmup: options.curveWarmup,
          });
          log(
            `issuance ${name} ${CURVE_VARIANT} ${connections} connections: ${Math.round(r.rps)} req/s`,
          );
          curve[name][connections] = Math.round(r.rps);
        }
      });
    }
    const rows = [];
    for (const variant of Object.keys(CC_CLIENTS)) {
      for (const mode of ['distributed', 'embedded']) {
        rows.push(
          compare({
            scenario: 'issuance',
            variant,
            mode,
            unit: 'req/s',
            ours: figures[mode][variant],
            peers: peerFigures(ctx, figures, variant),
            notes: peerNotes(ctx, notes, variant),
          }),
        );
      }
    }
    return {
      rows,
      csv: [
        curveCsv(ctx, {
          file: 'issuance-scaling.csv',
          title: `Issuance (client_credentials, ${CURVE_VARIANT} JWT) vs connections`,
          points: options.curveConnections ?? CURVE_CONNECTIONS,
          curve,
        }),
      ],
    };
  },
};
