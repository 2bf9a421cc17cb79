// Our service for the suite's scenarios, in either mode, seeded from an object:
// - distributed: token-service, session-service, auth-api (and N
//   introspection-service replicas) as separate processes on the shared
//   PostgreSQL, Kafka and Redis, isolated by schema / topic prefix / key prefix;
//   token-service and auth-api can run as several replicas, which share the
//   schema, topics and keys as the replicas of a real deployment do;
// - embedded: apps/embedded/dist/main.js, one process, SQLite in a temp DATA_DIR.
import { randomBytes } from 'node:crypto';
import { isolatedEnv } from './isolated-env.mjs';
import { benchRateLimits } from './rate-limits.mjs';
import { proofMaxAgeEnv } from './dpop.mjs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { cleanUp, ensureInfra, requireBuilt } from '../introspection/targets/ours.mjs';
import { freePort, ServerProcess, waitFor } from './processes.mjs';

async function ready(name, svc, url) {
  await waitFor(
    `${name} ready`,
    async () => {
      if (!svc.alive()) throw new Error(`${name} exited:\n${svc.logs()}`);
      const res = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      return res.status === 200;
    },
    { timeoutMs: 90_000, intervalMs: 250 },
  );
}

/**
 * The gRPC target of several token-service replicas: grpc-js's static
 * `ipv4:` resolver lists every address, and the client's round_robin policy
 * (packages/rpc/src/grpc-client.ts) spreads calls over all of them, as it
 * does over the addresses of a `dns:///` headless Service in a cluster.
 */
export function grpcTargetOf(ports) {
  if (ports.length === 1) return `127.0.0.1:${ports[0]}`;
  return `ipv4:${ports.map((p) => `127.0.0.1:${p}`).join(',')}`;
}

/** `name` for a single process, `name-1`, `name-2`, ... for replicas. */
const replicaName = (name, i, count) => (count === 1 ? name : `${name}-${i}`);

/**
 * @param {{ mode: 'distributed'|'embedded', seed: object, options: object, root: string,
 *   log: (m: string) => void, introspectionReplicas?: number, tokenReplicas?: number,
 *   authReplicas?: number, env?: Record<string, string> }} spec (env: settings of the scenario,
 *   given to every process)
 * @returns {Promise<{ mode, base, authBases: string[], introspectUrls: string[],
 *   pids: () => number[], groups: () => Record<string, number[]>, databaseSchema?: string, stop }>}
 */
export async function startOurs({
  mode,
  seed,
  options,
  root,
  log,
  introspectionReplicas = 0,
  tokenReplicas = 1,
  authReplicas = 1,
  env: scenarioEnv = {},
}) {
  if (mode === 'embedded' && (tokenReplicas !== 1 || authReplicas !== 1))
    throw new Error('the embedded mode is one process: no token-service or auth-api replicas');
  const runId = randomBytes(4).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), `idp-bench-${mode}-`));
  const seedFile = join(dir, 'seed.json');
  writeFileSync(seedFile, JSON.stringify(seed));
  const authPorts = [];
  for (let i = 0; i < authReplicas; i++) authPorts.push(await freePort());
  const authPort = authPorts[0];
  // Every auth-api replica has the same issuer, as behind one load balancer.
  const base = `http://127.0.0.1:${authPort}`;
  // DPoP rows sign a phase's proofs just before it: a phase longer than the
  // default DPOP_PROOF_MAX_AGE allows needs the setting raised (logged).
  const proofAge = proofMaxAgeEnv(Math.max(options.duration ?? 0, options.warmup ?? 0));
  if (proofAge.DPOP_PROOF_MAX_AGE)
    log(
      `ours/${mode}: DPOP_PROOF_MAX_AGE=${proofAge.DPOP_PROOF_MAX_AGE} (pre-signed proofs of ${options.duration} s phases)`,
    );
  const common = {
    ISSUER: base,
    SEED_FILE: seedFile,
    LOG_LEVEL: 'warn',
    ...benchRateLimits(),
    ...proofAge,
    ...scenarioEnv,
  };
  const services = {};
  const appOf = {}; // process name → app
  const url = (name) => `http://127.0.0.1:${services[name].spec.env.PORT}`;
  const adminUrl = (name) => `http://127.0.0.1:${services[name].spec.env.ADMIN_PORT}`;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all(Object.values(services).map((s) => s.stop()));
    if (redis) {
      await cleanUp(root, env, redis).catch((err) =>
        log(`ours/${mode}: clean-up failed: ${err.message}`),
      );
    }
    rmSync(dir, { recursive: true, force: true });
  };
  /** Waits for one process to be ready; on failure stops everything, with the logs in the error. */
  const readyOrStop = async (name) => {
    try {
      await ready(name, services[name], adminUrl(name));
    } catch (err) {
      const logs = Object.entries(services)
        .map(([n, s]) => `--- ${n}\n${s.logs().slice(-3000)}`)
        .join('\n');
      await stop();
      throw new Error(`${err.message}\n${logs}`);
    }
  };
  // /health and /metrics answer only on each process' admin listener (ADR 0017).
  const spawnApp = async (name, app, env) => {
    appOf[name] = app;
    services[name] = new ServerProcess(name, {
      module: join(root, 'apps', app, 'dist', 'main.js'),
      cwd: root,
      env: { ...env, ADMIN_PORT: String(await freePort()) },
    }).spawn();
    return services[name];
  };

  let env;
  let redis;
  if (mode === 'embedded') {
    requireBuilt(root, ['embedded']);
    env = { ...common, DATA_DIR: join(dir, 'data'), PORT: String(authPort) };
    await spawnApp('embedded', 'embedded', env);
  } else {
    const apps = ['token-service', 'session-service', 'auth-api'];
    if (introspectionReplicas) apps.push('introspection-service');
    requireBuilt(root, apps);
    await ensureInfra({ root, log, ...options });
    const isolated = await isolatedEnv(options, runId);
    const tokenGrpcPorts = [isolated.grpc.token];
    for (let i = 1; i < tokenReplicas; i++) tokenGrpcPorts.push(await freePort());
    env = {
      ...common,
      ...isolated.env,
      TOKEN_SERVICE_GRPC_URL: grpcTargetOf(tokenGrpcPorts),
    };
    redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1 });
    // token-service first: it applies the seed, and the others read clients from it.
    // With replicas, only the first seeds, and the others start once it is ready, so
    // the seed and the first signing keys are written once instead of raced for.
    const unseeded = { ...env };
    delete unseeded.SEED_FILE;
    for (let i = 1; i <= tokenReplicas; i++) {
      const name = replicaName('token-service', i, tokenReplicas);
      await spawnApp(name, 'token-service', {
        ...(i === 1 ? env : unseeded),
        PORT: String(await freePort()),
        GRPC_PORT: String(tokenGrpcPorts[i - 1]),
      });
      if (i === 1 && tokenReplicas > 1) await readyOrStop(name);
    }
    await spawnApp('session-service', 'session-service', {
      ...env,
      PORT: String(await freePort()),
      GRPC_PORT: String(isolated.grpc.session),
    });
    for (let i = 1; i <= introspectionReplicas; i++) {
      await spawnApp(`introspection-service-${i}`, 'introspection-service', {
        ...env,
        PORT: String(await freePort()),
      });
    }
    for (let i = 1; i <= authReplicas; i++) {
      await spawnApp(replicaName('auth-api', i, authReplicas), 'auth-api', {
        ...env,
        PORT: String(authPorts[i - 1]),
      });
    }
  }

  for (const name of Object.keys(services)) await readyOrStop(name);
  const introspectUrls = Object.keys(services)
    .filter((n) => n.startsWith('introspection-service'))
    .map((n) => `${url(n)}/introspect`);
  const metricsUrls = Object.keys(services)
    .filter((n) => n.startsWith('introspection-service'))
    .map((n) => `${adminUrl(n)}/metrics`);
  return {
    mode,
    base,
    introspectUrls,
    /** The introspection replicas' /metrics, in the order of introspectUrls. */
    metricsUrls,
    /** Every auth-api replica's base URL (the first is `base`), for load spread over them. */
    authBases: authPorts.map((p) => `http://127.0.0.1:${p}`),
    /** The processes that serve the HTTP requests of the scenarios (for CPU meters). */
    pids: () => Object.values(services).map((s) => s.pid),
    /** The same pids grouped by app (replicas of one app together), for CPU per group. */
    groups: () => {
      const byApp = {};
      for (const [name, s] of Object.entries(services)) (byApp[appOf[name]] ??= []).push(s.pid);
      return byApp;
    },
    /** Each app's admin listeners (`/metrics`, `/health`), replicas in order. */
    adminUrls: () => {
      const byApp = {};
      for (const name of Object.keys(services)) (byApp[appOf[name]] ??= []).push(adminUrl(name));
      return byApp;
    },
    /** The PostgreSQL schema of this stack (distributed); its connections' application_name ends in `/<schema>`. */
    databaseSchema: env.DATABASE_SCHEMA,
    logs: () =>
      Object.entries(services)
        .map(([name, s]) => `--- ${name}\n${s.logs().slice(-2000)}`)
        .join('\n'),
    stop,
  };
}
