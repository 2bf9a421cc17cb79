// Introspection (RFC 7662), opaque and JWT, wrapping bench/introspection:
// its load (a sampler checks answers during the load) and its bare target;
// ours from the suite's targets, with one and two introspection-service
// replicas in the distributed mode (two: the connections split across both,
// req/s summed), and the embedded mode; every peer of the run (its own
// introspection endpoint, the suite's clients). Then the scaling curve of
// opaque introspection at 1..128 connections, every target in one CSV.
import { measure, verifyAll } from '../introspection/load.mjs';
import bareTarget from '../introspection/targets/bare.mjs';
import { cpuMeter } from '../lib/cpu.mjs';
import { basicAuth, checkActive, clientCredentials, introspect } from '../lib/oauth.mjs';
import { variantsFor } from '../lib/peers.mjs';
import { waitFor } from '../lib/processes.mjs';
import { compare, CURVE_CONNECTIONS } from '../lib/rows.mjs';
import { curveCsv, peerFigures, peerNotes } from '../lib/series.mjs';
import { CC_CLIENTS, suiteTargets, withTarget } from '../lib/targets.mjs';
import { warmUp } from '../lib/warmup.mjs';

const KINDS = { opaque: CC_CLIENTS.opaque, jwt: CC_CLIENTS['JWT ES256'] };

/**
 * Tokens of each kind in `kinds`, checked active at every introspection URL
 * of the target (ours: after its projection caught up; a peer: at once).
 */
async function tokensOf(target, kindNames, tokenCount) {
  const kinds = {};
  for (const kind of kindNames) {
    const client = KINDS[kind];
    const authorization = basicAuth(client.client_id, client.client_secret);
    const tokens = [];
    for (let i = 0; i < tokenCount; i++)
      tokens.push(
        await clientCredentials(target.discovery.token_endpoint, authorization, {
          scope: 'api:read',
        }),
      );
    kinds[kind] = { authorization, tokens, expect: { client_id: client.client_id } };
    if (!target.introspectUrls.length) throw new Error(`${target.name}: no introspection endpoint`);
    for (const url of target.introspectUrls) {
      if (target.peer) {
        const problem = checkActive(await introspect(url, authorization, tokens.at(-1)), {
          client_id: client.client_id,
        });
        if (problem) throw new Error(`${target.name} ${kind}: ${url}: ${problem}`);
        continue;
      }
      await waitFor(
        `${kind} token active at ${url}`,
        async () => {
          const problem = checkActive(
            await introspect(url, authorization, tokens.at(-1)),
            kinds[kind].expect,
          );
          if (problem) throw new Error(problem);
          return true;
        },
        { timeoutMs: 30_000, intervalMs: 250 },
      );
    }
  }
  return kinds;
}

/** The load split across urls (connections divided), req/s summed, the worst latencies. */
async function measureAcross(urls, kind, options, pids) {
  for (const url of urls) await verifyAll(url, kind, 'before the load');
  const meter = cpuMeter(pids);
  const per = Math.max(1, Math.round(options.connections / urls.length));
  const parts = await Promise.all(
    urls.map((url) => measure(url, kind, { ...options, connections: per })),
  );
  const cpu = meter.stop();
  for (const url of urls) await verifyAll(url, kind, 'after the load');
  return {
    rps: parts.reduce((s, p) => s + p.rps, 0),
    p50: Math.max(...parts.map((p) => p.p50)),
    p99: Math.max(...parts.map((p) => p.p99)),
    errors: parts.reduce((s, p) => s + p.non2xx + p.errors + p.timeouts, 0),
    cpu,
  };
}

export default {
  name: 'introspection',
  title: 'Introspection (RFC 7662), opaque and JWT, one and two replicas',
  async run(ctx) {
    const { options, log } = ctx;
    const tokenCount = ctx.smoke ? 2 : 32;
    const load = {
      duration: options.duration,
      warmup: options.warmup,
      connections: options.connections,
      workers: 0,
      sampleIntervalMs: ctx.smoke ? 100 : 250,
    };
    const curvePoints = options.curveConnections ?? CURVE_CONNECTIONS;
    const curveLoad = (connections) => ({
      ...load,
      connections,
      duration: options.curveDuration,
      warmup: options.curveWarmup,
    });
    const figures = { distributed2: {}, bare: {} }; // target → kind → measurement, or { na }
    const notes = {};
    const curve = {}; // target → connections → req/s

    for (const name of suiteTargets(ctx)) {
      await withTarget(
        name,
        ctx,
        async (target) => {
          const { run, skipped } = variantsFor(ctx, target, 'introspection', Object.keys(KINDS));
          figures[name] = Object.fromEntries(Object.entries(skipped).map(([v, na]) => [v, { na }]));
          notes[name] = {};
          const kinds = await tokensOf(target, run, tokenCount);
          const [first, ...others] = target.introspectUrls;
          // CPU: the introspection processes only (distributed), the whole server (the others).
          const pids = target.pids();
          for (const [kind, k] of Object.entries(kinds)) {
            const w = await warmUp(
              target.peer,
              ctx,
              async (s) =>
                (await measureAcross([first], k, { ...load, duration: s, warmup: 0 }, pids)).rps,
            );
            figures[name][kind] = await measureAcross(
              [first],
              k,
              { ...load, warmup: w.seconds },
              pids,
            );
            notes[name][kind] = w.note;
            log(`introspection ${name} ${kind}: ${Math.round(figures[name][kind].rps)} req/s`);
            if (name === 'distributed' && others.length) {
              figures.distributed2[kind] = await measureAcross(
                target.introspectUrls,
                k,
                load,
                pids,
              );
              log(
                `introspection ${name} ×${target.introspectUrls.length} ${kind}: ${Math.round(figures.distributed2[kind].rps)} req/s`,
              );
            }
          }
          if (!kinds.opaque) return;
          curve[name] = {};
          for (const c of curvePoints)
            curve[name][c] = Math.round(
              (await measureAcross([first], kinds.opaque, curveLoad(c), pids)).rps,
            );
        },
        { introspectionReplicas: 2 },
      );
    }

    log(`bare: starting (${bareTarget.label})`);
    const bare = await bareTarget.start({ ...options, tokenCount, kinds: Object.keys(KINDS), log });
    try {
      for (const kind of Object.keys(KINDS)) {
        figures.bare[kind] = await measureAcross([bare.url], bare.kinds[kind], load, bare.pids());
        log(`introspection bare ${kind}: ${Math.round(figures.bare[kind].rps)} req/s`);
      }
      curve.bare = {};
      for (const c of curvePoints)
        curve.bare[c] = Math.round(
          (await measureAcross([bare.url], bare.kinds.opaque, curveLoad(c), bare.pids())).rps,
        );
    } finally {
      await bare.stop();
    }

    const rows = [];
    for (const kind of Object.keys(KINDS)) {
      for (const [mode, label] of [
        ['distributed', 'distributed, 1 replica'],
        ['distributed2', 'distributed, 2 replicas'],
        ['embedded', 'embedded'],
      ]) {
        if (!figures[mode]?.[kind]) continue;
        rows.push(
          compare({
            scenario: 'introspection',
            variant: kind,
            mode: label,
            unit: 'req/s',
            ours: figures[mode][kind],
            peers: peerFigures(ctx, figures, kind),
            bare: figures.bare[kind],
            notes: [
              mode === 'distributed2'
                ? `${options.connections} connections split over both replicas`
                : undefined,
              peerNotes(ctx, notes, kind),
            ]
              .filter(Boolean)
              .join('; '),
          }),
        );
      }
    }
    return {
      rows,
      csv: [
        curveCsv(ctx, {
          file: 'introspection-scaling.csv',
          title: 'Introspection (opaque) vs connections',
          points: curvePoints,
          curve,
        }),
      ],
    };
  },
};
