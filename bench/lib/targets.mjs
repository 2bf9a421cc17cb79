// The suite's targets, all seeded with the same clients and user (SEED):
// ours in the distributed mode, ours in the embedded mode, and each peer of
// bench/lib/peers.mjs selected for the run (ctx.peers). A scenario starts one
// at a time and stops it before the next, so no idle server shares the cores.
import { createRequire } from 'node:module';
import { startOurs } from './ours.mjs';

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

export const OURS = {
  distributed:
    'ours, distributed mode (token-service, session-service, auth-api; PostgreSQL, Kafka, Redis)',
  embedded: 'ours, embedded mode (apps/embedded, one process, SQLite in a temp DATA_DIR)',
};

/** What a target name stands for: ours in a mode, or a peer of ctx.peers (bench/lib/peers.mjs). */
function describe(name, ctx) {
  if (OURS[name]) return { label: OURS[name] };
  const peer = (ctx.peers ?? []).find((p) => p.name === name);
  if (!peer) throw new Error(`unknown target ${name} (ours: distributed, embedded; or a peer)`);
  return { label: peer.label, peer };
}

/** The targets a scenario runs: ours in both modes, then every selected peer. */
export function suiteTargets(ctx) {
  return [...Object.keys(OURS), ...(ctx.peers ?? []).map((p) => p.name)];
}

async function discover(base) {
  const res = await fetch(`${base}/.well-known/openid-configuration`, {
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status !== 200) throw new Error(`${base}: discovery answered ${res.status}`);
  return res.json();
}

/**
 * Starts one target; returns { name, peer?, base, discovery, introspectUrls,
 * login?, pids(), logs(), stop(), verify?() } (peer: its registry entry).
 */
export async function startTarget(name, ctx, { introspectionReplicas = 0 } = {}) {
  const { peer } = describe(name, ctx);
  const running = peer
    ? await peer.start(ctx, SEED)
    : await startOurs({
        mode: name,
        seed: SEED,
        options: ctx.options,
        root: ctx.root,
        log: ctx.log,
        introspectionReplicas: name === 'distributed' ? introspectionReplicas : 0,
      });
  try {
    const discovery = await discover(running.base);
    // The embedded mode and the peers serve introspection themselves.
    if (name !== 'distributed')
      running.introspectUrls = discovery.introspection_endpoint
        ? [discovery.introspection_endpoint]
        : [];
    return { name, peer, login: peer?.login, ...running, discovery };
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

/**
 * Runs fn(target) with the target up, and stops it afterwards (not in a smoke
 * run). A peer's verify() runs after fn: its note is logged, and a failure
 * fails the scenario (the rows did not measure what the label says).
 */
export async function withTarget(name, ctx, fn, { introspectionReplicas = 0 } = {}) {
  const { label } = describe(name, ctx);
  let target;
  if (ctx.smoke) {
    if (!kept.has(name)) {
      ctx.log(`${name}: starting, kept up for the smoke run (${label})`);
      kept.set(name, startTarget(name, ctx, { introspectionReplicas: SMOKE_REPLICAS }));
    }
    target = await kept.get(name);
  } else {
    ctx.log(`${name}: starting (${label})`);
    target = await startTarget(name, ctx, { introspectionReplicas });
  }
  try {
    const result = await fn(target);
    if (target.verify) ctx.log(`${name}: verified: ${await target.verify()}`);
    return result;
  } catch (err) {
    throw new Error(`${name}: ${err.message}\n${target.logs?.() ?? ''}`.slice(0, 6000));
  } finally {
    if (!ctx.smoke) await target.stop();
  }
}
