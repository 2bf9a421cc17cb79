// Token issuance, client_credentials: opaque, JWT ES256, JWT RS256, and
// opaque and JWT ES256 with a DPoP proof per request (RFC 9449; issue #17),
// each at ours (distributed and embedded) and every peer that has the
// variant; then the scaling curve of the JWT ES256 variant at 1, 8, 32, 64,
// 128 connections, every target in one CSV. A DPoP row uses the same client
// as its plain row and is compared with it (what the proof check costs).
import { cpuMeter } from '../lib/cpu.mjs';
import {
  ProofPool,
  proofKey,
  proofsNeeded,
  signProof,
  thumbprintOf,
  withProofs,
} from '../lib/dpop.mjs';
import { cannon } from '../lib/load.mjs';
import { basicAuth, clientCredentials } from '../lib/oauth.mjs';
import { variantsFor } from '../lib/peers.mjs';
import { CC_CLIENTS, suiteTargets, withTarget } from '../lib/targets.mjs';
import { compare, CURVE_CONNECTIONS } from '../lib/rows.mjs';
import { curveCsv, peerFigures, peerNotes } from '../lib/series.mjs';
import { warmUp } from '../lib/warmup.mjs';

const CURVE_VARIANT = 'JWT ES256';
/** The DPoP variants → the plain variant (same client) they are compared with. */
export const DPOP_VARIANTS = { 'opaque + DPoP': 'opaque', 'JWT ES256 + DPoP': 'JWT ES256' };
const VARIANTS = [...Object.keys(CC_CLIENTS), ...Object.keys(DPOP_VARIANTS)];
// The rate a DPoP row's first phase is sized for when its plain row gave none.
const FALLBACK_RATE = 3000;

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

/**
 * A DPoP-bound token from the endpoint: token_type DPoP, a JWT's cnf.jkt the
 * key's thumbprint, and the same proof refused the second time (the row
 * measures a server that checks replay).
 */
async function checkDpop(url, variant, client, key) {
  const proof = signProof(key, { htm: 'POST', htu: url });
  const send = () =>
    fetch(url, {
      method: 'POST',
      headers: { ...requestsFor(client)[0].headers, dpop: proof },
      body: 'grant_type=client_credentials&scope=api%3Aread',
      signal: AbortSignal.timeout(10_000),
    });
  const res = await send();
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${variant}: ${res.status} ${text.slice(0, 300)}`);
  const body = JSON.parse(text);
  if (body.token_type !== 'DPoP') throw new Error(`${variant}: token_type ${body.token_type}`);
  if (variant.startsWith('JWT')) {
    const claims = JSON.parse(Buffer.from(body.access_token.split('.')[1], 'base64url'));
    if (claims.cnf?.jkt !== thumbprintOf(key.jwk))
      throw new Error(`${variant}: cnf ${JSON.stringify(claims.cnf)} is not the proof key's`);
  }
  const replay = await send();
  await replay.arrayBuffer();
  if (replay.status !== 400) throw new Error(`${variant}: a replayed proof got ${replay.status}`);
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
        const { run, skipped } = variantsFor(ctx, target, 'issuance', VARIANTS);
        figures[name] = Object.fromEntries(Object.entries(skipped).map(([v, na]) => [v, { na }]));
        notes[name] = {};
        for (const variant of run) {
          const plain = DPOP_VARIANTS[variant];
          const client = CC_CLIENTS[plain ?? variant];
          // DPoP: one key per row, a fresh proof per request, signed before each phase.
          const key = plain && proofKey();
          const pool = plain && new ProofPool(key, { htm: 'POST', htu: url });
          const load = (duration, warmup) =>
            cannon(`${name} ${variant}`, {
              url,
              requests: pool
                ? requestsFor(client).map((r) => withProofs(r, pool))
                : requestsFor(client),
              connections: options.connections,
              duration,
              warmup,
              pids: target.pids(),
              prepare:
                pool &&
                (({ seconds, rate }) =>
                  pool.fill(
                    proofsNeeded(
                      rate ?? figures[name][plain]?.rps ?? FALLBACK_RATE,
                      seconds,
                      options.connections,
                    ),
                  )),
            });
          const verify = () =>
            key ? checkDpop(url, variant, client, key) : check(url, variant, client);
          await verify();
          const w = await warmUp(target.peer, ctx, async (s) => (await load(s, 0)).rps);
          const meter = cpuMeter(target.pids());
          const r = await load(options.duration, w.seconds);
          r.cpu = meter.stop();
          await verify();
          log(
            `issuance ${name} ${variant}: ${Math.round(r.rps)} req/s (server CPU ${r.cpu}, load generator ${r.generatorCpu})`,
          );
          figures[name][variant] = r;
          notes[name][variant] = [w.note, pool && `${name}: ${ProofPool.describe([pool])}`]
            .filter(Boolean)
            .join('; ');
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
    for (const variant of VARIANTS) {
      const plain = DPOP_VARIANTS[variant];
      for (const mode of ['distributed', 'embedded']) {
        rows.push(
          compare({
            scenario: 'issuance',
            variant,
            mode,
            unit: 'req/s',
            ours: figures[mode][variant],
            peers: peerFigures(ctx, figures, variant),
            notes: [notes[mode][variant], peerNotes(ctx, notes, variant)]
              .filter(Boolean)
              .join('; '),
            baseline: plain && {
              label: 'without DPoP',
              ours: figures[mode][plain],
              peers: peerFigures(ctx, figures, plain),
            },
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
