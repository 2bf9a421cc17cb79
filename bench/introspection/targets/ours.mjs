// Target "ours": the distributed mode as separate processes (token-service,
// introspection-service, session-service, auth-api) on the shared PostgreSQL,
// Kafka and Redis, isolated by schema, topic prefix and key prefix.
import { dropIsolatedEnv, isolatedEnv } from '../../lib/isolated-env.mjs';
import { benchRateLimits } from '../../lib/rate-limits.mjs';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { basicAuth, checkActive, clientCredentials, introspect } from '../../lib/oauth.mjs';
import { freePort, run, ServerProcess, tcpAnswers, waitFor } from '../../lib/processes.mjs';

const APPS = ['token-service', 'introspection-service', 'session-service', 'auth-api'];
const clients = [
  {
    client_id: 'bench-opaque',
    client_secret: 'bench-opaque-secret-0123456789abcdef',
    format: 'opaque',
  },
  { client_id: 'bench-jwt', client_secret: 'bench-jwt-secret-0123456789abcdefgh', format: 'jwt' },
];

function seedFile() {
  const dir = mkdtempSync(join(tmpdir(), 'idp-bench-'));
  const file = join(dir, 'seed.json');
  const seed = {
    // The e2e tests' service client (the built @idp/testing; the bench builds first).
    clients: clients.map(({ client_id, client_secret, format }) =>
      createRequire(import.meta.url)('@idp/testing').serviceClient({
        clientId: client_id,
        secret: client_secret,
        format,
        scope: 'api:read',
      }),
    ),
  };
  writeFileSync(file, JSON.stringify(seed));
  return { file, dir };
}

/** PostgreSQL, Redis and Kafka must answer; scripts/infra/up.sh starts whatever does not. */
export async function ensureInfra({ root, kafkaBrokers, databaseUrl, redisUrl, log }) {
  const endpoints = [
    new URL(redisUrl),
    new URL(databaseUrl),
    new URL(`kafka://${kafkaBrokers.split(',')[0]}`),
  ].map((u) => [u.hostname, Number(u.port)]);
  const answers = await Promise.all(endpoints.map(([h, p]) => tcpAnswers(h, p)));
  if (answers.every(Boolean)) return;
  log('ours: PostgreSQL, Redis or Kafka does not answer: running scripts/infra/up.sh');
  await run('bash', [join(root, 'scripts/infra/up.sh')], { stdio: ['ignore', 2, 2] });
}

export function requireBuilt(root, apps = APPS) {
  for (const app of apps) {
    if (!existsSync(join(root, 'apps', app, 'dist', 'main.js'))) {
      throw new Error(`apps/${app}/dist/main.js is missing: run \`npm run build\` first`);
    }
  }
}

export async function cleanUp(root, env, redis) {
  const req = createRequire(join(root, 'package.json'));
  const keys = await redis.keys(`${env.REDIS_KEY_PREFIX}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  await dropIsolatedEnv(req, env);
}

export default {
  name: 'ours',
  label:
    'apps/introspection-service, distributed mode (Redis read model, read-through to token-service over gRPC)',

  async start(options) {
    const { root, runId, tokenCount, kinds, log } = options;
    requireBuilt(root);
    await ensureInfra(options);
    const seed = seedFile();
    const isolated = await isolatedEnv(options, runId);
    const [tokenGrpc, sessionGrpc] = [isolated.grpc.token, isolated.grpc.session];
    const env = {
      ...isolated.env,
      SEED_FILE: seed.file,
      LOG_LEVEL: 'warn',
      ...benchRateLimits(),
    };
    const ports = { 'token-service': tokenGrpc, 'session-service': sessionGrpc };
    const services = {};
    for (const app of APPS) {
      services[app] = new ServerProcess(app, {
        module: join(root, 'apps', app, 'dist', 'main.js'),
        cwd: root,
        env: {
          ...env,
          PORT: String(await freePort()),
          // /health and /metrics answer only on the admin listener (ADR 0017).
          ADMIN_PORT: String(await freePort()),
          ...(ports[app] ? { GRPC_PORT: String(ports[app]) } : {}),
        },
      }).spawn();
    }
    const url = (app) => `http://127.0.0.1:${services[app].spec.env.PORT}`;
    const adminUrl = (app) => `http://127.0.0.1:${services[app].spec.env.ADMIN_PORT}`;
    const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1 });
    const stop = async () => {
      await Promise.all(Object.values(services).map((s) => s.stop()));
      rmSync(seed.dir, { recursive: true, force: true });
      await cleanUp(root, env, redis).catch((err) => log(`ours: clean-up failed: ${err.message}`));
    };
    try {
      for (const [app, svc] of Object.entries(services)) {
        await waitFor(
          `${app} ready`,
          async () => {
            if (!svc.alive()) throw new Error(`${app} exited:\n${svc.logs()}`);
            const res = await fetch(`${adminUrl(app)}/health/ready`, {
              signal: AbortSignal.timeout(2_000),
            });
            await res.arrayBuffer();
            return res.status === 200;
          },
          { timeoutMs: 90_000, intervalMs: 250 },
        );
      }
      const introspectUrl = `${url('introspection-service')}/introspect`;
      const result = {};
      for (const kind of kinds) {
        const client = clients.find((c) => c.format === kind);
        const authorization = basicAuth(client.client_id, client.client_secret);
        const tokens = [];
        for (let i = 0; i < tokenCount; i++) {
          tokens.push(
            await clientCredentials(`${url('auth-api')}/token`, authorization, {
              scope: 'api:read',
            }),
          );
        }
        const expect = { client_id: client.client_id };
        // Read-through answers at once; the projection may still be on its way. Either way: active.
        await waitFor(
          `${kind} token active at introspection-service`,
          async () => {
            const problem = checkActive(
              await introspect(introspectUrl, authorization, tokens.at(-1)),
              expect,
            );
            if (problem) throw new Error(problem);
            return true;
          },
          { timeoutMs: 30_000, intervalMs: 250 },
        );
        result[kind] = { authorization, tokens, expect };
      }
      const jwtAlg =
        result.jwt && JSON.parse(Buffer.from(result.jwt.tokens[0].split('.')[0], 'base64url')).alg;
      return {
        url: introspectUrl,
        pids: () => [services['introspection-service'].pid],
        notes: [
          `one introspection-service process on Redis ${options.redisUrl} (server CPU counts that process, not Redis)`,
          ...(jwtAlg
            ? [`JWT access tokens signed with ${jwtAlg}, verified locally per request`]
            : []),
        ],
        kinds: result,
        stop,
      };
    } catch (err) {
      const logs = Object.entries(services)
        .map(([app, s]) => `--- ${app}\n${s.logs().slice(-3000)}`)
        .join('\n');
      await stop();
      throw new Error(`${err.message}\n${logs}`);
    }
  },
};
