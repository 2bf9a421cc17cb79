// Scale-out of the write path: client_credentials issuance (JWT ES256) with
// 1, 2 and 3 token-service replicas and as many auth-api replicas, the
// distributed mode on the shared PostgreSQL, Kafka and Redis. Each auth-api
// replica spreads its token RPCs over every token-service replica (gRPC
// round robin), and the load's connections are split over the auth-api
// replicas, as a load balancer would. Beside req/s, each row records where
// the time went: CPU per process group, and what the stack's PostgreSQL
// backends were doing (pg_stat_activity, sampled every 100 ms): a global
// append lock shows as backends waiting on `Lock`/`advisory`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { cpuClock } from '../lib/cpu.mjs';
import { cannon } from '../lib/load.mjs';
import { basicAuth, clientCredentials } from '../lib/oauth.mjs';
import { startOurs } from '../lib/ours.mjs';
import { waitFor } from '../lib/processes.mjs';
import { sampleActivity, serverCounters } from '../lib/pg-activity.mjs';
import { isMain, runStandalone } from '../lib/standalone.mjs';
import { CC_CLIENTS, SEED } from '../lib/targets.mjs';

const VARIANT = 'JWT ES256';
const CLIENT = CC_CLIENTS[VARIANT];
const REPLICAS = [1, 2, 3];
// A smoke run proves the multi-replica wiring (two of each), not the curve.
const SMOKE_REPLICAS = [2];

const REQUEST = {
  method: 'POST',
  headers: {
    authorization: basicAuth(CLIENT.client_id, CLIENT.client_secret),
    'content-type': 'application/x-www-form-urlencoded',
  },
  body: 'grant_type=client_credentials&scope=api%3Aread',
};

/** A token from url signed with the client's alg by the issuer (as bench/scenarios/issuance.mjs checks). */
async function check(url, issuer) {
  const token = await clientCredentials(url, REQUEST.headers.authorization, { scope: 'api:read' });
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error(`${url}: expected a JWT, got ${parts.length} parts`);
  const header = JSON.parse(Buffer.from(parts[0], 'base64url'));
  const claims = JSON.parse(Buffer.from(parts[1], 'base64url'));
  if (header.alg !== CLIENT.access_token_signed_response_alg)
    throw new Error(
      `${url}: expected alg ${CLIENT.access_token_signed_response_alg}, got ${header.alg}`,
    );
  if (claims.iss !== issuer) throw new Error(`${url}: iss ${claims.iss}, expected ${issuer}`);
  if (claims.client_id !== CLIENT.client_id)
    throw new Error(`${url}: client_id ${claims.client_id}, expected ${CLIENT.client_id}`);
}

/** `connections` split over n parts as evenly as whole numbers allow (64 over 3: 22, 21, 21). */
export function splitConnections(connections, n) {
  return Array.from(
    { length: n },
    (_, i) => Math.floor(connections / n) + (i < connections % n ? 1 : 0),
  );
}

/** client_credentials access tokens a token-service replica counted (its /metrics). */
export function issuedFromMetrics(text) {
  let total = 0;
  for (const line of text.split('\n')) {
    if (
      line.startsWith('idp_tokens_issued_total{') &&
      line.includes('grant_type="client_credentials"') &&
      line.includes('token_type="access_token"')
    )
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

async function issuedPerReplica(adminUrls) {
  return Promise.all(
    adminUrls.map(async (url) => {
      const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5_000) });
      if (res.status !== 200) throw new Error(`${url}/metrics: ${res.status}`);
      return issuedFromMetrics(await res.text());
    }),
  );
}

/** The shared servers' own processes, when this machine runs them (CPU meters; else left out). */
async function serverPids(ctx) {
  const pids = {};
  try {
    const kafka = Number(readFileSync(join(ctx.root, '.infra/kafka/kafka.pid'), 'utf8').trim());
    if (kafka > 0) pids.Kafka = [kafka];
  } catch {
    // No local broker started by scripts/infra: its CPU is not ours to see.
  }
  const redis = new Redis(ctx.options.redisUrl, { maxRetriesPerRequest: 1 });
  try {
    const info = await redis.info('server');
    const pid = Number(/process_id:(\d+)/.exec(info)?.[1]);
    if (pid > 0) pids.Redis = [pid];
  } finally {
    redis.disconnect();
  }
  return pids;
}

/** CPU clocks per group; stop() → { group: % of one core } (undefined for a group whose process left). */
function groupClocks(groups) {
  const clocks = Object.entries(groups).map(([name, pids]) => [
    name,
    pids.map((p) => cpuClock([p])),
  ]);
  const self = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  return {
    stop() {
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      const out = {};
      for (const [name, perPid] of clocks) {
        // A process gone by the end (a pooled PostgreSQL connection closed when idle) is left
        // out; its ticks are lost, so the group's figure is a floor then (marked ≥).
        const each = perPid.map((c) => c.stop());
        const seen = each.filter((t) => t !== undefined);
        if (!seen.length) continue;
        out[name] = {
          total: (seen.reduce((s, t) => s + t.seconds, 0) / wall) * 100,
          each: seen.map((t) => (t.seconds / wall) * 100),
          floor: seen.length < each.length,
        };
      }
      const used = process.cpuUsage(self);
      out['load generator'] = { total: ((used.user + used.system) / 1e6 / wall) * 100, each: [] };
      return out;
    },
  };
}

function describeCpu(cpu) {
  return Object.entries(cpu)
    .map(([name, { total, each, floor }]) => {
      // Per replica for the apps; PostgreSQL's backends are many and small: their sum only.
      const split =
        each.length > 1 && each.length <= 4 ? ` (${each.map((p) => Math.round(p)).join('/')})` : '';
      return `${name}${each.length > 1 ? ` ×${each.length}` : ''} ${floor ? '≥ ' : ''}${Math.round(total)}%${split}`;
    })
    .join(', ');
}

/** What each group would serve on one core at this row's cost per token (`auth-api 2,400, ...`). */
function perCoreSecond(rps, cpu) {
  return Object.entries(cpu)
    .filter(([name, { total }]) => name !== 'load generator' && total > 0)
    .map(([name, { total, floor }]) => {
      const n = Math.round(rps / (total / 100)).toLocaleString('en-US');
      return `${name} ${floor ? '≤ ' : ''}${n}`;
    })
    .join(', ');
}

async function measure(ctx, replicas) {
  const { options, log, root } = ctx;
  const running = await startOurs({
    mode: 'distributed',
    seed: SEED,
    options,
    root,
    log,
    tokenReplicas: replicas,
    authReplicas: replicas,
  });
  try {
    const discovery = await (
      await fetch(`${running.base}/.well-known/openid-configuration`)
    ).json();
    const tokenPath = new URL(discovery.token_endpoint).pathname;
    const urls = running.authBases.map((b) => `${b}${tokenPath}`);
    const tokenAdmin = running.adminUrls()['token-service'];
    // Ready is not yet reachable: an auth-api's channel sends only to the replicas it has
    // connected to, so tokens go through every auth-api until every token-service issued one.
    await waitFor(
      'every token-service replica issuing',
      async () => {
        for (const url of urls) await check(url, discovery.issuer);
        return (await issuedPerReplica(tokenAdmin)).every((n) => n > 0);
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    const split = splitConnections(options.connections, urls.length);
    const load = (duration) =>
      Promise.all(
        urls.map((url, i) =>
          cannon(`scaleout ×${replicas} ${url}`, {
            url,
            requests: [REQUEST],
            connections: split[i],
            duration,
          }),
        ),
      );
    if (options.warmup) await load(options.warmup);

    const issuedBefore = await issuedPerReplica(tokenAdmin);
    const activity = await sampleActivity({
      root,
      databaseUrl: options.databaseUrl,
      schema: running.databaseSchema,
    });
    // The stack's backends are all connected by now (the warm-up or the checks opened the pools).
    await new Promise((r) => setTimeout(r, 150));
    const groups = { ...running.groups(), PostgreSQL: activity.pids(), ...(await serverPids(ctx)) };
    const counters = await serverCounters({
      root,
      databaseUrl: options.databaseUrl,
      schema: running.databaseSchema,
    });
    const clocks = groupClocks(groups);
    const parts = await load(options.duration);
    const cpu = clocks.stop();
    const server = await counters.stop();
    const pg = await activity.stop();
    const issued = (await issuedPerReplica(tokenAdmin)).map((n, i) => n - issuedBefore[i]);
    for (const url of urls) await check(url, discovery.issuer);

    const total = parts.reduce((s, p) => s + p.total, 0);
    // Every replica must have issued: otherwise the curve measures fewer replicas than it says.
    if (issued.some((n) => n === 0))
      throw new Error(`a token-service replica issued nothing: ${issued.join('/')} tokens`);
    const rps = parts.reduce((s, p) => s + p.rps, 0);
    const perSecond = (n) => Math.round(n / server.seconds);
    const notes = [
      `${options.connections} connections split ${split.join('/')} over the auth-api replicas`,
      `tokens per token-service replica ${issued.join('/')}`,
      `CPU % of a core: ${describeCpu(cpu)}`,
      `tokens per CPU-second: ${perCoreSecond(rps, cpu)}`,
      pg.text,
      `events appended ${perSecond(server.events)}/s; server-wide: ${perSecond(server.commits)} commits/s, ` +
        `${perSecond(server.wal_syncs)} WAL fsyncs/s (${(server.events / Math.max(1, server.wal_syncs)).toFixed(1)} events per fsync), ` +
        `${Math.round(server.wal_bytes / Math.max(1, server.events))} WAL bytes per event`,
    ];
    log(`scaleout ×${replicas}: ${Math.round(rps)} req/s; ${notes.slice(1).join('; ')}`);
    return {
      replicas,
      rps,
      total,
      p50: Math.max(...parts.map((p) => p.p50)),
      p99: Math.max(...parts.map((p) => p.p99)),
      errors: parts.reduce((s, p) => s + p.errors, 0),
      notes,
    };
  } catch (err) {
    throw new Error(`scaleout ×${replicas}: ${err.message}\n${running.logs()}`.slice(0, 6000));
  } finally {
    await running.stop();
  }
}

const scenario = {
  name: 'scaleout',
  title: `Scale-out: client_credentials issuance (${VARIANT}) with 1, 2, 3 token-service and auth-api replicas`,
  async run(ctx) {
    const smoke = !!ctx.smoke;
    const options = {
      ...ctx.options,
      duration: Number(ctx.options.duration ?? (smoke ? 1 : 10)),
      warmup: Number(ctx.options.warmup ?? (smoke ? 0 : 3)),
      connections: Number(ctx.options.connections ?? 64),
    };
    const counts = ctx.options.replicas
      ? String(ctx.options.replicas).split(',').map(Number)
      : smoke
        ? SMOKE_REPLICAS
        : REPLICAS;
    const results = [];
    for (const n of counts) results.push(await measure({ ...ctx, options }, n));
    const one = results.find((r) => r.replicas === 1);
    const rows = results.map((r) => ({
      scenario: 'scaleout',
      variant: `${VARIANT}, ${r.replicas} replica${r.replicas === 1 ? '' : 's'} of token-service and auth-api`,
      mode: 'distributed',
      ours: Math.round(r.rps),
      unit: 'req/s',
      p50: r.p50,
      p99: r.p99,
      errors: r.errors,
      notes: [
        one && r !== one ? `${(r.rps / one.rps).toFixed(2)}× the 1-replica row` : undefined,
        ...r.notes,
        'p50/p99: the worst auth-api replica',
      ]
        .filter(Boolean)
        .join('; '),
    }));
    return {
      rows,
      csv: [
        {
          file: 'scaleout.csv',
          title: `Issuance (client_credentials, ${VARIANT}) vs token-service and auth-api replicas`,
          header: ['replicas', 'ours_rps'],
          lines: results.map((r) => [r.replicas, Math.round(r.rps)]),
        },
      ],
    };
  },
};

export default scenario;

if (isMain(import.meta.url))
  await runStandalone(scenario, { replicas: '', duration: '', warmup: '', connections: '' });
