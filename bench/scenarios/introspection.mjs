// Introspection (RFC 7662), opaque and JWT, wrapping bench/introspection:
// its load (a sampler checks answers during the load), its peer and bare
// targets; ours from the suite's targets, with one and two
// introspection-service replicas in the distributed mode (two: the
// connections split across both, req/s summed), and the embedded mode.
// Then the scaling curve of opaque introspection at 1..128 connections.
import { measure, verifyAll } from '../introspection/load.mjs';
import bareTarget from '../introspection/targets/bare.mjs';
import peerTarget from '../introspection/targets/peer.mjs';
import { cpuMeter } from '../lib/cpu.mjs';
import { basicAuth, checkActive, clientCredentials, introspect } from '../lib/oauth.mjs';
import { waitFor } from '../lib/processes.mjs';
import { compare, CURVE_CONNECTIONS } from '../lib/rows.mjs';
import { CC_CLIENTS, withTarget } from '../lib/targets.mjs';

const KINDS = { opaque: CC_CLIENTS.opaque, jwt: CC_CLIENTS['JWT ES256'] };
// ARCHITECTURE.md / issue #6: opaque introspection ≥ 3× the peer and ≥ 0.6× the bare limit.
const TARGET = { peer: 3, bare: 0.6 };

async function ourKinds(target, tokenCount) {
  const kinds = {};
  for (const [kind, client] of Object.entries(KINDS)) {
    const authorization = basicAuth(client.client_id, client.client_secret);
    const tokens = [];
    for (let i = 0; i < tokenCount; i++)
      tokens.push(
        await clientCredentials(target.discovery.token_endpoint, authorization, {
          scope: 'api:read',
        }),
      );
    kinds[kind] = { authorization, tokens, expect: { client_id: client.client_id } };
    for (const url of target.introspectUrls) {
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
    const figures = { distributed: {}, distributed2: {}, embedded: {}, peer: {}, bare: {} };
    const curve = { distributed: {}, peer: {}, bare: {} };

    for (const mode of ['distributed', 'embedded']) {
      await withTarget(
        mode,
        ctx,
        async (target) => {
          const kinds = await ourKinds(target, tokenCount);
          const [first, ...others] = target.introspectUrls;
          // CPU: the introspection processes only (mode distributed), the whole app (embedded).
          const pids = target.pids();
          for (const [kind, k] of Object.entries(kinds)) {
            figures[mode][kind] = await measureAcross([first], k, load, pids);
            log(`introspection ${mode} ${kind}: ${Math.round(figures[mode][kind].rps)} req/s`);
            if (others.length) {
              figures.distributed2[kind] = await measureAcross(
                target.introspectUrls,
                k,
                load,
                pids,
              );
              log(
                `introspection ${mode} ×${target.introspectUrls.length} ${kind}: ${Math.round(figures.distributed2[kind].rps)} req/s`,
              );
            }
          }
          if (mode === 'distributed') {
            for (const c of curvePoints)
              curve.distributed[c] = Math.round(
                (await measureAcross([first], kinds.opaque, curveLoad(c), pids)).rps,
              );
          }
        },
        { introspectionReplicas: 2 },
      );
    }

    for (const [name, t] of [
      ['peer', peerTarget],
      ['bare', bareTarget],
    ]) {
      log(`${name}: starting (${t.label})`);
      const running = await t.start({ ...options, tokenCount, kinds: Object.keys(KINDS), log });
      try {
        for (const kind of Object.keys(KINDS)) {
          const k = running.kinds[kind];
          if (k.unsupported) {
            figures[name][kind] = { unsupported: k.unsupported };
            continue;
          }
          figures[name][kind] = await measureAcross([running.url], k, load, running.pids());
          log(`introspection ${name} ${kind}: ${Math.round(figures[name][kind].rps)} req/s`);
        }
        for (const c of curvePoints)
          curve[name][c] = Math.round(
            (await measureAcross([running.url], running.kinds.opaque, curveLoad(c), running.pids()))
              .rps,
          );
      } finally {
        await running.stop();
      }
    }

    const rows = [];
    for (const kind of Object.keys(KINDS)) {
      for (const [mode, label] of [
        ['distributed', 'distributed, 1 replica'],
        ['distributed2', 'distributed, 2 replicas'],
        ['embedded', 'embedded'],
      ]) {
        if (!figures[mode][kind]) continue;
        const peer = figures.peer[kind]?.unsupported ? undefined : figures.peer[kind];
        rows.push(
          compare({
            scenario: 'introspection',
            variant: kind,
            mode: label,
            unit: 'req/s',
            ours: figures[mode][kind],
            peer,
            bare: figures.bare[kind],
            target: kind === 'opaque' ? TARGET.peer : undefined,
            targetBare: kind === 'opaque' ? TARGET.bare : undefined,
            notes: [
              peer
                ? undefined
                : 'peer n/a: node-oidc-provider refuses to introspect JWT access tokens',
              mode === 'distributed2'
                ? `${options.connections} connections split over both replicas`
                : undefined,
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
        {
          file: 'introspection-scaling.csv',
          header: ['connections', 'ours_distributed_rps', 'peer_rps', 'bare_rps'],
          lines: curvePoints.map((c) => [c, curve.distributed[c], curve.peer[c], curve.bare[c]]),
        },
      ],
    };
  },
};
