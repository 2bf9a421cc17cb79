// The suite's node-oidc-provider peers ("nop", "nop-redis"; bench/lib/peers.mjs)
// in their own process, configured with the same clients, users, token formats
// and algorithms as ours (PEER_SEED: the seed ours gets, from
// bench/lib/targets.mjs). Its login is a minimal interaction handler
// written here (oidc-provider ships none for production) that checks the
// password against an scrypt hash with our parameters (N=2^17, r=8, p=1),
// so a login costs both sides the same hashing work; consent is skipped for
// these first-party clients as ours does with `skip_consent` (the
// documented `loadExistingGrant` pattern).
//
// Storage (PEER_ADAPTER): "memory" (default) is nop's built-in in-memory
// adapter; "redis" is bench/lib/nop-redis-adapter.mjs on PEER_REDIS_URL under
// the key prefix PEER_REDIS_PREFIX. PEER_PORT (optional) fixes the port, so a
// restarted process keeps its issuer (the adapter test restarts it).
import { generateKeyPairSync, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import Provider from 'oidc-provider';
import { redisAdapter } from './nop-redis-adapter.mjs';

const seed = JSON.parse(process.env.PEER_SEED);
const ADAPTER = process.env.PEER_ADAPTER ?? 'memory';
if (!['memory', 'redis'].includes(ADAPTER)) throw new Error(`PEER_ADAPTER: unknown ${ADAPTER}`);
const redis =
  ADAPTER === 'redis'
    ? new Redis(process.env.PEER_REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true })
    : undefined;
if (redis) {
  if (!/^[\w.:-]+:$/.test(process.env.PEER_REDIS_PREFIX ?? ''))
    throw new Error('PEER_REDIS_PREFIX: a key prefix ending with ":" is required');
  await redis.connect();
}
const SCRYPT = { N: 2 ** 17, r: 8, p: 1, maxmem: 256 * 2 ** 17 * 8 + 1024 * 1024 };
const derive = promisify(scrypt);

const jwk = (type, opts, alg) => ({
  ...generateKeyPairSync(type, opts).privateKey.export({ format: 'jwk' }),
  alg,
  use: 'sig',
  kid: alg,
});

// Users: the password hashed once here, verified per login.
const users = new Map();
for (const u of seed.users ?? []) {
  const salt = randomBytes(16);
  users.set(u.username, {
    ...u,
    salt,
    hash: await derive(u.password.normalize('NFC'), salt, 32, SCRYPT),
  });
}
const bySub = new Map([...users.values()].map((u) => [u.sub, u]));

// A client_credentials client with access_token_format "jwt" gets a resource
// server of its own whose format is 'jwt' with the client's alg, so its
// tokens are JWTs signed with that alg (oidc-provider's only way to a JWT AT).
const jwtAlgOf = new Map(
  seed.clients
    .filter((c) => c.access_token_format === 'jwt' && c.grant_types.includes('client_credentials'))
    .map((c) => [c.client_id, c.access_token_signed_response_alg ?? 'ES256']),
);
const resourceOf = (clientId) => `urn:bench:${clientId}`;
const OUR_ONLY = [
  'access_token_format',
  'access_token_signed_response_alg',
  'access_token_claims',
  'resources',
  'skip_consent',
];

function loginPage(uid, error = '') {
  return `<!doctype html><html><body>${error}<form method="post" action="/interaction/${uid}/login">
<input type="hidden" name="uid" value="${uid}">
<input name="username"><input type="password" name="password"><button>Sign in</button></form></body></html>`;
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

const server = createServer();
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PEER_PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address();
  const provider = new Provider(`http://127.0.0.1:${port}`, {
    // No `adapter`: nop's default in-memory one.
    ...(redis && { adapter: redisAdapter(redis, process.env.PEER_REDIS_PREFIX) }),
    clients: seed.clients.map((c) => {
      const meta = Object.fromEntries(Object.entries(c).filter(([k]) => !OUR_ONLY.includes(k)));
      return meta;
    }),
    scopes: ['openid', 'profile', 'email', 'offline_access', 'api:read'],
    claims: { openid: ['sub'], profile: ['name'], email: ['email', 'email_verified'] },
    jwks: {
      keys: [
        jwk('rsa', { modulusLength: 2048 }, 'RS256'),
        jwk('ec', { namedCurve: 'P-256' }, 'ES256'),
      ],
    },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    findAccount: (ctx, sub) => {
      const u = bySub.get(sub);
      return u && { accountId: sub, claims: () => ({ sub, ...u.claims }) };
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    // Consent skipped for these first-party clients (ours: skip_consent): a grant
    // covering what was asked is created on the spot.
    loadExistingGrant: async (ctx) => {
      const grantId =
        ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope(
        ctx.oidc.requestParamScopes ? [...ctx.oidc.requestParamScopes].join(' ') : 'openid',
      );
      await grant.save();
      return grant;
    },
    // Ours issues a refresh token to a client allowed the grant, and rotates it on every use.
    issueRefreshToken: (ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // DPoP (RFC 9449) as nop documents it: proofs accepted for 300 s, jti
      // replay checked in the adapter's ReplayDetection model, no nonces.
      dPoP: { enabled: true },
      introspection: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: (ctx, client) =>
          jwtAlgOf.has(client.clientId) ? resourceOf(client.clientId) : undefined,
        useGrantedResource: () => true,
        getResourceServerInfo: (ctx, resource, client) => ({
          scope: 'api:read',
          audience: resource,
          accessTokenTTL: 3600,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: jwtAlgOf.get(client.clientId) ?? 'ES256' } },
        }),
      },
    },
  });
  const callback = provider.callback();
  server.on('request', async (req, res) => {
    const m = /^\/interaction\/([^/?]+)(\/login)?/.exec(req.url);
    if (!m) return callback(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      if (details.uid !== m[1]) throw new Error('interaction mismatch');
      if (!m[2]) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return res.end(loginPage(details.uid));
      }
      const form = await readForm(req);
      const user = users.get(form.get('username') ?? '');
      const got = await derive(
        (form.get('password') ?? '').normalize('NFC'),
        user?.salt ?? Buffer.alloc(16),
        32,
        SCRYPT,
      );
      if (!user || !timingSafeEqual(got, user.hash)) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return res.end(loginPage(details.uid, 'invalid credentials'));
      }
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: user.sub } },
        { mergeWithLastSubmission: false },
      );
    } catch (err) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(String(err.message ?? err));
    }
  });
  process.send({ ready: { port, adapter: ADAPTER } });
});

process.on('SIGTERM', () => {
  server.close();
  redis?.disconnect();
  process.exit(0);
});
