// token-service and session-service of the distributed mode, isolated by
// schema and topic prefix on the shared PostgreSQL and Kafka.
import { dropIsolatedEnv, isolatedEnv } from '../lib/isolated-env.mjs';
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { freePort, ServerProcess, waitFor } from '../lib/processes.mjs';

const APPS = ['token-service', 'session-service'];
export const REDIRECT_URI = 'https://rp.bench.test/cb';
export const SUB = 'bench-user';

// The RPs and the user, and joining the session, as the e2e tests do it:
// the built @idp/testing (`npm run bench` builds first), loaded on first use.
const testing = () => createRequire(import.meta.url)('@idp/testing');

function seedFile(clients, alg) {
  const seed = testing().backchannelSeed(clients, {
    redirectUri: REDIRECT_URI,
    user: { sub: SUB, username: SUB, password: 'bench-user-password-long-enough' },
    // Logout tokens use the client's ID-token alg.
    idTokenAlg: alg,
  });
  const file = testing().writeSeedFile(seed, 'idp-bench-bcl-');
  return { file, dir: dirname(file) };
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
  const { SessionRpc, TokenRpc } = req('@idp/contracts');
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
    await dropIsolatedEnv(req, env).catch((err) => options.log(`clean-up failed: ${err.message}`));
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
 * One SSO session joined by every client (@idp/testing's sessionJoinedBy,
 * as the e2e tests join it), in batches of 32, logging the progress.
 */
export async function sessionJoinedBy(rpc, clientIds, log, timeoutMs = 300_000) {
  let last = -1;
  return testing().sessionJoinedBy(rpc, clientIds, {
    sub: SUB,
    redirectUri: REDIRECT_URI,
    batch: 32,
    timeoutMs,
    intervalMs: 500,
    onProgress: (joined) => {
      if (joined !== last && joined % 250 < 25) log(`  ${joined} joined`);
      last = joined;
    },
  });
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
