// token-service and session-service of the distributed mode, isolated by
// schema and topic prefix on the shared PostgreSQL and Kafka.
import { isolatedEnv } from '../lib/isolated-env.mjs';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ServerProcess, waitFor } from '../lib/processes.mjs';

const APPS = ['token-service', 'session-service'];
export const REDIRECT_URI = 'https://rp.bench.test/cb';
export const SUB = 'bench-user';

function seedFile(clients, alg) {
  const dir = mkdtempSync(join(tmpdir(), 'idp-bench-bcl-'));
  const file = join(dir, 'seed.json');
  const seed = {
    clients: clients.map(({ clientId, uri }) => ({
      client_id: clientId,
      client_secret: `${clientId}-secret-0123456789abcdefghijkl`,
      grant_types: ['implicit'],
      response_types: ['id_token'],
      redirect_uris: [REDIRECT_URI],
      token_endpoint_auth_method: 'client_secret_basic',
      skip_consent: true,
      scope: 'openid',
      backchannel_logout_uri: uri,
      // Logout tokens use the client's ID-token alg.
      id_token_signed_response_alg: alg,
    })),
    users: [{ sub: SUB, username: SUB, password: 'bench-user-password-long-enough' }],
  };
  writeFileSync(file, JSON.stringify(seed));
  return { file, dir };
}

export async function startStack(options, clients, backchannelEnv) {
  const alg = options.alg ?? 'RS256';
  const { root, runId } = options;
  for (const app of APPS) {
    if (!existsSync(join(root, 'apps', app, 'dist', 'main.js')))
      throw new Error(`apps/${app}/dist/main.js is missing: run \`npm run build\` first`);
  }
  const seed = seedFile(clients, alg);
  const isolated = await isolatedEnv(options, runId);
  const [tokenGrpc, sessionGrpc] = [isolated.grpc.token, isolated.grpc.session];
  const env = {
    ...isolated.env,
    SEED_FILE: seed.file,
    LOG_LEVEL: 'warn',
    ...backchannelEnv,
  };
  const grpcPorts = { 'token-service': tokenGrpc, 'session-service': sessionGrpc };
  const services = {};
  for (const app of APPS) {
    services[app] = new ServerProcess(app, {
      module: join(root, 'apps', app, 'dist', 'main.js'),
      cwd: root,
      env: {
        ...env,
        PORT: String(await freePort()),
        // /health answers only on the admin listener (ADR 0017).
        ADMIN_PORT: String(await freePort()),
        GRPC_PORT: String(grpcPorts[app]),
      },
    }).spawn();
  }
  const req = createRequire(join(root, 'package.json'));
  const { grpcClient, silentRpcLogger } = req('@idp/rpc');
  const { SessionRpc, TokenRpc } = req('@idp/nest-kit');
  const rpc = {
    session: grpcClient(SessionRpc, {
      address: env.SESSION_SERVICE_GRPC_URL,
      logger: silentRpcLogger,
    }),
    tokens: grpcClient(TokenRpc, { address: env.TOKEN_SERVICE_GRPC_URL, logger: silentRpcLogger }),
  };
  const stop = async () => {
    rpc.session.close();
    rpc.tokens.close();
    await Promise.all(Object.values(services).map((s) => s.stop()));
    rmSync(seed.dir, { recursive: true, force: true });
    await cleanUp(req, env).catch((err) => options.log(`clean-up failed: ${err.message}`));
  };
  try {
    for (const [app, svc] of Object.entries(services)) {
      const url = `http://127.0.0.1:${svc.spec.env.ADMIN_PORT}/health/ready`;
      await waitFor(
        `${app} ready`,
        async () => {
          if (!svc.alive()) throw new Error(`${app} exited:\n${svc.logs()}`);
          const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
          await res.arrayBuffer();
          return res.status === 200;
        },
        { timeoutMs: 120_000, intervalMs: 250 },
      );
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { rpc, services, stop };
}

/**
 * One SSO session joined by every client: an ID token per client in the
 * session over token-service's RPC (what /authorize does after login), then
 * wait until session-service consumed the joins from Kafka. Each join
 * loads the session's stream, so joining N clients costs O(N²) event reads:
 * minutes for 5,000.
 */
export async function sessionJoinedBy(rpc, clientIds, log, timeoutMs = 300_000) {
  const started = await rpc.session.startSession({ sub: SUB, amr: ['pwd'] });
  for (let i = 0; i < clientIds.length; i += 32) {
    await Promise.all(
      clientIds.slice(i, i + 32).map((clientId) =>
        rpc.tokens.authorize({
          clientId,
          sub: SUB,
          sid: started.sid,
          authTime: started.authTime,
          amr: ['pwd'],
          scope: ['openid'],
          redirectUri: REDIRECT_URI,
          redirectUriSupplied: true,
          responseType: 'id_token',
          nonce: `n-${clientId}`,
        }),
      ),
    );
  }
  let last = -1;
  await waitFor(
    `${clientIds.length} clients joined the session`,
    async () => {
      const { session } = await rpc.session.getSession({ sid: started.sid });
      const joined = session?.clientIds.length ?? 0;
      if (joined !== last && joined % 250 < 25) log(`  ${joined} joined`);
      last = joined;
      return joined >= clientIds.length;
    },
    { timeoutMs, intervalMs: 500 },
  );
  return started.sid;
}

/**
 * Ends the session over session-service's RPC and waits until every RP has
 * its first token (`rps`: a Receivers); resolves with the clock's start, the
 * moment endSession was called.
 */
export async function logoutAndWait(stack, rps, clientIds, sid, timeoutMs) {
  const t0 = Date.now();
  await stack.rpc.session.endSession({ sid, reason: 'admin' });
  await waitFor(
    `all ${clientIds.length} RPs delivered`,
    async () => {
      if (rps.problems.length) throw new Error(rps.problems.slice(0, 5).join('\n'));
      return rps.first.size >= clientIds.length;
    },
    { timeoutMs, intervalMs: 5 },
  );
  return t0;
}

async function cleanUp(req, env) {
  const { Client } = req('pg');
  const pg = new Client({ connectionString: env.DATABASE_URL });
  await pg.connect();
  await pg.query(`DROP SCHEMA IF EXISTS "${env.DATABASE_SCHEMA}" CASCADE`).finally(() => pg.end());
  const { Kafka, logLevel } = req('kafkajs');
  const admin = new Kafka({
    brokers: env.KAFKA_BROKERS.split(','),
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(env.KAFKA_TOPIC_PREFIX));
    if (topics.length) await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
}
