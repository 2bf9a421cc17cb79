// Our service for the suite's scenarios, in either mode, seeded from an object:
// - distributed: token-service, session-service, auth-api (and N
//   introspection-service replicas) as separate processes on the shared
//   PostgreSQL, Kafka and Redis, isolated by schema / topic prefix / key prefix;
// - embedded: apps/embedded/dist/main.js, one process, SQLite in a temp DATA_DIR.
import { randomBytes } from 'node:crypto';
import { isolatedEnv } from './isolated-env.mjs';
import { benchRateLimits } from './rate-limits.mjs';
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
 * @param {{ mode: 'distributed'|'embedded', seed: object, options: object, root: string,
 *   log: (m: string) => void, introspectionReplicas?: number }} spec
 * @returns {Promise<{ mode, base, introspectUrls: string[], pids: () => number[], stop }>}
 */
export async function startOurs({ mode, seed, options, root, log, introspectionReplicas = 0 }) {
  const runId = randomBytes(4).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), `idp-bench-${mode}-`));
  const seedFile = join(dir, 'seed.json');
  writeFileSync(seedFile, JSON.stringify(seed));
  const authPort = await freePort();
  const base = `http://127.0.0.1:${authPort}`;
  const common = { ISSUER: base, SEED_FILE: seedFile, LOG_LEVEL: 'warn', ...benchRateLimits() };
  const services = {};
  // /health and /metrics answer only on each process' admin listener (ADR 0017).
  const spawnApp = async (name, app, env) => {
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
    const [tokenGrpc, sessionGrpc] = [isolated.grpc.token, isolated.grpc.session];
    env = {
      ...common,
      ...isolated.env,
    };
    redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1 });
    // token-service first: it applies the seed, and the others read clients from it.
    await spawnApp('token-service', 'token-service', {
      ...env,
      PORT: String(await freePort()),
      GRPC_PORT: String(tokenGrpc),
    });
    await spawnApp('session-service', 'session-service', {
      ...env,
      PORT: String(await freePort()),
      GRPC_PORT: String(sessionGrpc),
    });
    for (let i = 1; i <= introspectionReplicas; i++) {
      await spawnApp(`introspection-service-${i}`, 'introspection-service', {
        ...env,
        PORT: String(await freePort()),
      });
    }
    await spawnApp('auth-api', 'auth-api', { ...env, PORT: String(authPort) });
  }

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
  try {
    for (const name of Object.keys(services)) await ready(name, services[name], adminUrl(name));
  } catch (err) {
    const logs = Object.entries(services)
      .map(([name, s]) => `--- ${name}\n${s.logs().slice(-3000)}`)
      .join('\n');
    await stop();
    throw new Error(`${err.message}\n${logs}`);
  }
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
    /** The processes that serve the HTTP requests of the scenarios (for CPU meters). */
    pids: () => Object.values(services).map((s) => s.pid),
    logs: () =>
      Object.entries(services)
        .map(([name, s]) => `--- ${name}\n${s.logs().slice(-2000)}`)
        .join('\n'),
    stop,
  };
}
