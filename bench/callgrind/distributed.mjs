// Instructions per request of auth-api alone, in the distributed mode: token-service and
// session-service run normally (on the shared PostgreSQL, Kafka and Redis, isolated by schema
// and prefixes as the bench does), auth-api under callgrind with instrumentation off until the
// warm-up is done. ENDPOINT=token (KIND=opaque|es256) or ENDPOINT=userinfo (KIND=opaque|jwt):
//   node bench/callgrind/distributed.mjs [warm-up] [counted]
// LOG_LEVEL as set (default info); IDP_ROOT=<checkout> measures another build. Needs valgrind,
// a build (`npx tsc -b`) and `npm ci` in bench/. The count is auth-api's own work per request
// (its gRPC client included), not token-service's. PROFILE=<dir>: no valgrind; auth-api runs with
// --cpu-prof into <dir> instead (summarise with bench/lib/profile-summary.mjs).
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Redis from 'ioredis';
import { cleanUp, ensureInfra } from '../introspection/targets/ours.mjs';
import { isolatedEnv } from '../lib/isolated-env.mjs';
import { freePort, ServerProcess, waitFor } from '../lib/processes.mjs';
import { benchRateLimits } from '../lib/rate-limits.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = process.env.IDP_ROOT ?? join(HERE, '..', '..');
const NODE = join(ROOT, 'node_modules', 'node', 'bin', 'node');
const ENDPOINT = process.env.ENDPOINT ?? 'token';
const KIND = process.env.KIND ?? 'opaque';
const PROFILE = process.env.PROFILE;
const [WARM, N] = [Number(process.argv[2] ?? 1000), Number(process.argv[3] ?? 2000)];
const options = {
  databaseUrl: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/idp_test',
  kafkaBrokers: process.env.BENCH_KAFKA_BROKERS ?? '127.0.0.1:9092',
  redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
};

const dir = mkdtempSync(join(tmpdir(), 'idp-cg-distributed-'));
const seedFile = join(dir, 'seed.json');
writeFileSync(seedFile, execFileSync(NODE, [join(HERE, 'credentials.mjs'), 'seed']));
await ensureInfra({ root: ROOT, log: console.error, ...options });
const isolated = await isolatedEnv(options, randomBytes(4).toString('hex'));
const authPort = await freePort();
const base = `http://127.0.0.1:${authPort}`;
const env = {
  ...isolated.env,
  ISSUER: base,
  SEED_FILE: seedFile,
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  LOG_FORMAT: 'json',
  ...benchRateLimits(),
};
const services = [];
const ready = (name, adminPort, alive) =>
  waitFor(
    `${name} ready`,
    async () => {
      if (!alive()) throw new Error(`${name} exited`);
      const res = await fetch(`http://127.0.0.1:${adminPort}/health/ready`).catch(() => null);
      await res?.arrayBuffer();
      return res?.status === 200;
    },
    { timeoutMs: 600_000, intervalMs: 1000 },
  );
let auth;
try {
  // token-service first: it applies the seed.
  for (const [name, grpc] of [
    ['token-service', isolated.grpc.token],
    ['session-service', isolated.grpc.session],
  ]) {
    const adminPort = await freePort();
    const svc = new ServerProcess(name, {
      module: join(ROOT, 'apps', name, 'dist', 'main.js'),
      cwd: ROOT,
      env: {
        ...env,
        PORT: String(await freePort()),
        ADMIN_PORT: String(adminPort),
        GRPC_PORT: String(grpc),
      },
    }).spawn();
    services.push(svc);
    await ready(name, adminPort, () => svc.alive());
  }
  const adminPort = await freePort();
  const main = join(ROOT, 'apps', 'auth-api', 'dist', 'main.js');
  const callgrind = [
    '--tool=callgrind',
    '--instr-atstart=no',
    `--callgrind-out-file=${join(dir, 'cg')}`,
    NODE,
    '--predictable',
    main,
  ];
  auth = spawn(
    PROFILE === undefined ? 'valgrind' : NODE,
    PROFILE === undefined ? callgrind : ['--cpu-prof', `--cpu-prof-dir=${PROFILE}`, main],
    {
      cwd: ROOT,
      env: { ...process.env, ...env, PORT: String(authPort), ADMIN_PORT: String(adminPort) },
      stdio: ['ignore', 'ignore', 'ignore'],
    },
  );
  await ready('auth-api', adminPort, () => auth.exitCode === null);
  const tokenKind = ENDPOINT === 'userinfo' ? `userinfo-${KIND}` : KIND;
  const [token, basic] = execFileSync(NODE, [
    join(HERE, 'credentials.mjs'),
    'token',
    tokenKind,
    base,
  ])
    .toString()
    .trim()
    .split(' ');
  const load = (n) =>
    execFileSync(NODE, [join(HERE, 'load.cjs'), String(authPort), String(n), token, basic], {
      env: { ...process.env, LOAD_ENDPOINT: ENDPOINT },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  load(WARM);
  if (PROFILE !== undefined) {
    load(N);
    // The profile is written when the process exits from its shutdown sequence.
    const exited = new Promise((r) => auth.once('exit', r));
    auth.kill('SIGTERM');
    await exited;
    console.log(`profile of auth-api in ${PROFILE}`);
    process.exitCode = 0;
  } else {
    execFileSync('callgrind_control', ['-i', 'on', String(auth.pid)], { stdio: 'ignore' });
    load(N);
    execFileSync('callgrind_control', ['-i', 'off', String(auth.pid)], { stdio: 'ignore' });
    execFileSync('callgrind_control', ['-d', String(auth.pid)], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 1000));
    let total = 0;
    for (const file of readdirSync(dir).filter((f) => f.startsWith('cg.'))) {
      const line = readFileSync(join(dir, file), 'utf8').match(/^totals: (\d+)/m);
      if (line) total += Number(line[1]);
    }
    console.log(
      `distributed auth-api /${ENDPOINT} KIND=${KIND} LOG_LEVEL=${env.LOG_LEVEL} root=${ROOT} ` +
        `instructions=${total} per_request=${Math.floor(total / N)}`,
    );
  }
} finally {
  auth?.kill();
  await Promise.all(services.map((s) => s.stop()));
  await cleanUp(ROOT, env, new Redis(options.redisUrl, { maxRetriesPerRequest: 1 })).catch((err) =>
    console.error(`clean-up failed: ${err.message}`),
  );
  rmSync(dir, { recursive: true, force: true });
}
