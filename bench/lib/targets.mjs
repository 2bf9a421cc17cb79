// The suite's three targets, all seeded with the same clients and user
// (SEED): ours in the distributed mode, ours in the embedded mode, and the
// peer (node-oidc-provider, peer.server.mjs). A scenario starts one at a time
// and stops it before the next, so no idle server shares the cores.
import { createRequire } from 'node:module';
import { startOurs } from './ours.mjs';
import { ServerProcess } from './processes.mjs';

export const REDIRECT_URI = 'https://rp.bench.test/cb';
export const USER = {
  sub: 'bench-user-0001',
  username: 'bench',
  password: 'bench-password-long-enough',
  claims: { name: 'Bench User', email: 'bench@example.test', email_verified: true },
};
const secret = (id) => `${id}-secret-0123456789abcdefghij`;
// The e2e tests' service client: the built @idp/testing (the bench builds first).
const cc = (clientId, format, accessTokenAlg) =>
  createRequire(import.meta.url)('@idp/testing').serviceClient({
    clientId,
    secret: secret(clientId),
    format,
    scope: 'api:read',
    accessTokenAlg,
  });
const web = (client_id, format) => ({
  client_id,
  client_secret: secret(client_id),
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  redirect_uris: [REDIRECT_URI],
  token_endpoint_auth_method: 'client_secret_basic',
  scope: 'openid profile email offline_access',
  access_token_format: format,
  skip_consent: true,
});

/** Issuance variants: label → client. */
export const CC_CLIENTS = {
  opaque: cc('cc-opaque', 'opaque'),
  'JWT ES256': cc('cc-es256', 'jwt', 'ES256'),
  'JWT RS256': cc('cc-rs256', 'jwt', 'RS256'),
};
/** Code-flow clients by access-token format. */
export const WEB_CLIENTS = { opaque: web('web-opaque', 'opaque'), jwt: web('web-jwt', 'jwt') };
export const SEED = {
  clients: [...Object.values(CC_CLIENTS), ...Object.values(WEB_CLIENTS)],
  users: [USER],
};

const peerVersion = createRequire(import.meta.url)('oidc-provider/package.json').version;
export const TARGETS = {
  distributed:
    'ours, distributed mode (token-service, session-service, auth-api; PostgreSQL, Kafka, Redis)',
  embedded: 'ours, embedded mode (apps/embedded, one process, SQLite in a temp DATA_DIR)',
  peer: `node-oidc-provider ${peerVersion}, default in-memory adapter, one process`,
};

async function discover(base) {
  const res = await fetch(`${base}/.well-known/openid-configuration`, {
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status !== 200) throw new Error(`${base}: discovery answered ${res.status}`);
  return res.json();
}

/** Starts one target; returns { name, base, discovery, introspectUrls, pids(), stop() }. */
export async function startTarget(name, ctx, { introspectionReplicas = 0 } = {}) {
  let running;
  if (name === 'peer') {
    const server = new ServerProcess('peer', {
      module: new URL('./peer.server.mjs', import.meta.url).pathname,
      env: { PEER_SEED: JSON.stringify(SEED) },
    }).fork();
    const { port } = await server.ready();
    running = {
      base: `http://127.0.0.1:${port}`,
      introspectUrls: [],
      pids: () => [server.pid],
      logs: () => server.logs(),
      stop: () => server.stop(),
    };
  } else {
    running = await startOurs({
      mode: name,
      seed: SEED,
      options: ctx.options,
      root: ctx.root,
      log: ctx.log,
      introspectionReplicas: name === 'distributed' ? introspectionReplicas : 0,
    });
  }
  try {
    const discovery = await discover(running.base);
    // The embedded mode serves /introspect itself.
    if (name === 'embedded') running.introspectUrls = [discovery.introspection_endpoint];
    return { name, ...running, discovery };
  } catch (err) {
    await running.stop();
    throw err;
  }
}

// A smoke run (numbers meaningless) keeps each target up from one scenario
// to the next, started with everything any scenario needs: start-up is most
// of a smoke run's time. A real run starts and stops a target per scenario,
// so no idle server (or projection consuming the events) shares the cores.
const kept = new Map();
const SMOKE_REPLICAS = 2;

/** Stops the targets a smoke run kept up (the suite calls it at the end). */
export async function stopKeptTargets() {
  const all = [...kept.values()];
  kept.clear();
  await Promise.all(
    all.map((t) =>
      t.then(
        (running) => running.stop(),
        () => {},
      ),
    ),
  );
}

/** Runs fn(target) with the target up, and stops it afterwards (not in a smoke run). */
export async function withTarget(name, ctx, fn, { introspectionReplicas = 0 } = {}) {
  let target;
  if (ctx.smoke) {
    if (!kept.has(name)) {
      ctx.log(`${name}: starting, kept up for the smoke run (${TARGETS[name]})`);
      kept.set(name, startTarget(name, ctx, { introspectionReplicas: SMOKE_REPLICAS }));
    }
    target = await kept.get(name);
  } else {
    ctx.log(`${name}: starting (${TARGETS[name]})`);
    target = await startTarget(name, ctx, { introspectionReplicas });
  }
  try {
    return await fn(target);
  } catch (err) {
    throw new Error(`${name}: ${err.message}\n${target.logs?.() ?? ''}`.slice(0, 6000));
  } finally {
    if (!ctx.smoke) await target.stop();
  }
}
