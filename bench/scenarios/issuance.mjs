// Token issuance, client_credentials: opaque, JWT ES256, JWT RS256, each at
// ours (distributed and embedded) and the peer; then the scaling curve of
// the JWT ES256 variant at 1, 8, 32, 64, 128 connections.
import { cpuMeter } from '../lib/cpu.mjs';
import { cannon } from '../lib/load.mjs';
import { basicAuth, clientCredentials } from '../lib/oauth.mjs';
import { CC_CLIENTS, withTarget } from '../lib/targets.mjs';
import { compare, CURVE_CONNECTIONS } from '../lib/rows.mjs';

const TARGET = 1.5; // issue #6: JWT ES256 issuance with the event durably appended ≥ 1.5× the peer
const MODES = ['distributed', 'embedded', 'peer'];
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
    const figures = {}; // mode → variant → row
    const curve = {}; // mode → connections → req/s
    for (const mode of MODES) {
      await withTarget(mode, ctx, async (target) => {
        const url = target.discovery.token_endpoint;
        figures[mode] = {};
        for (const [variant, client] of Object.entries(CC_CLIENTS)) {
          await check(url, variant, client);
          const meter = cpuMeter(target.pids());
          const r = await cannon(`${mode} ${variant}`, {
            url,
            requests: requestsFor(client),
            connections: options.connections,
            duration: options.duration,
            warmup: options.warmup,
          });
          r.cpu = meter.stop();
          await check(url, variant, client);
          log(`issuance ${mode} ${variant}: ${Math.round(r.rps)} req/s (server CPU ${r.cpu})`);
          figures[mode][variant] = r;
        }
        curve[mode] = {};
        for (const connections of options.curveConnections ?? CURVE_CONNECTIONS) {
          const r = await cannon(`${mode} ${CURVE_VARIANT} at ${connections} connections`, {
            url,
            requests: requestsFor(CC_CLIENTS[CURVE_VARIANT]),
            connections,
            duration: options.curveDuration,
            warmup: options.curveWarmup,
          });
          log(
            `issuance ${mode} ${CURVE_VARIANT} ${connections} connections: ${Math.round(r.rps)} req/s`,
          );
          curve[mode][connections] = Math.round(r.rps);
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
            peer: figures.peer[variant],
            target: variant === 'JWT ES256' ? TARGET : undefined,
          }),
        );
      }
    }
    const points = Object.keys(curve.peer).map(Number);
    return {
      rows,
      csv: [
        {
          file: 'issuance-scaling.csv',
          title: `Issuance (client_credentials, ${CURVE_VARIANT} JWT) vs connections`,
          header: ['connections', 'ours_distributed_rps', 'ours_embedded_rps', 'peer_rps'],
          lines: points.map((c) => [c, curve.distributed[c], curve.embedded[c], curve.peer[c]]),
        },
      ],
    };
  },
};
