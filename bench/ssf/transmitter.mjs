// Our side of the Shared Signals fan-out, through the public HTTP API only,
// as a receiver and a resource server would use it: the seed (receivers are
// registered clients with ssf:manage), the transmitter's configuration
// (SSF 1.0 7.1), stream creation (SSF 1.0 8.1.1.1, push delivery per RFC
// 8935), and the revocation whose SET the receivers await.
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { basicAuth, clientCredentials, readBody } from '../lib/oauth.mjs';

export const PUSH = 'urn:ietf:rfc:8935';
/** SSF_EVENT_TYPES.tokenRevoked of packages/contracts/src/rpc/ssf.rpc.ts: what /revoke causes. */
export const TOKEN_REVOKED = 'urn:idp:secevent:event-type:token-revoked';
export const REVOKER = 'ssf-bench-revoker';

const secretOf = (clientId) => `${clientId}-secret-0123456789abcdefghij`;
export const receiverId = (i) => `ssf-rx-${String(i).padStart(5, '0')}`;

/**
 * The seed: `n` receivers (client_credentials, scope ssf:manage, opaque
 * access tokens), and the client whose JWT access tokens are revoked, as the
 * e2e tests seed service clients (@idp/testing, built by `npm run bench`).
 */
export function ssfSeed(n) {
  const { serviceClient } = createRequire(import.meta.url)('@idp/testing');
  const client = (clientId, scope, format) =>
    serviceClient({ clientId, secret: secretOf(clientId), scope, format });
  return {
    clients: [
      client(REVOKER, 'api:read', 'jwt'),
      ...Array.from({ length: n }, (_, i) => client(receiverId(i), 'ssf:manage', 'opaque')),
    ],
  };
}

/** The JSON body of a 2xx response; any other status throws with `what` and the answer. */
async function json(res, what) {
  const { status, text, body } = await readBody(res);
  if (status < 200 || status > 299) throw new Error(`${what}: HTTP ${status} ${text}`);
  return body;
}

/** The transmitter's configuration at `/.well-known/ssf-configuration` (SSF 1.0 7.1). */
export async function ssfConfiguration(base) {
  const res = await fetch(`${base}/.well-known/ssf-configuration`, {
    signal: AbortSignal.timeout(10_000),
  });
  const config = await json(res, 'ssf-configuration');
  for (const member of ['issuer', 'jwks_uri', 'configuration_endpoint']) {
    if (typeof config[member] !== 'string') throw new Error(`ssf-configuration has no ${member}`);
  }
  if (!config.delivery_methods_supported?.includes(PUSH))
    throw new Error(`ssf-configuration: no push delivery (${config.delivery_methods_supported})`);
  return config;
}

export async function fetchJwks(uri) {
  return json(await fetch(uri, { signal: AbortSignal.timeout(10_000) }), 'jwks');
}

/** Runs `fn` over `items`, `concurrency` at a time. */
export async function inPool(items, concurrency, fn) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/**
 * Each receiver takes an ssf:manage token at /token and creates its push
 * stream, requesting token-revoked, with the Authorization header the
 * receiver checks. Setup, not measured.
 */
export async function createStreams({ base, config, receivers, clientIds, log, concurrency = 8 }) {
  let done = 0;
  await inPool(clientIds, concurrency, async (clientId) => {
    const token = await clientCredentials(
      `${base}/token`,
      basicAuth(clientId, secretOf(clientId)),
      {
        scope: 'ssf:manage',
      },
    );
    const res = await fetch(config.configuration_endpoint, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        events_requested: [TOKEN_REVOKED],
        delivery: {
          method: PUSH,
          endpoint_url: receivers.uriOf(clientId),
          authorization_header: receivers.authorizationOf(clientId),
        },
      }),
      signal: AbortSignal.timeout(30_000),
    });
    const stream = await json(res, `POST ${config.configuration_endpoint} for ${clientId}`);
    if (!stream.events_delivered?.includes(TOKEN_REVOKED))
      throw new Error(`${clientId}: stream delivers ${JSON.stringify(stream.events_delivered)}`);
    if (++done % 250 === 0) log(`  ${done} streams created`);
  });
}

const jtiOf = (jwt) =>
  JSON.parse(Buffer.from(String(jwt).split('.')[1] ?? '', 'base64url').toString('utf8')).jti;

/**
 * A fresh JWT access token of the revoker client; `revoke()` revokes it at
 * /revoke (RFC 7009) and resolves with performance.now() of the response,
 * the clock's start. Two steps, so the receivers can be told the jti first.
 */
export async function freshToken(base) {
  const authorization = basicAuth(REVOKER, secretOf(REVOKER));
  const token = await clientCredentials(`${base}/token`, authorization, { scope: 'api:read' });
  const jti = jtiOf(token);
  if (typeof jti !== 'string') throw new Error('the revoker access token is not a JWT with a jti');
  return {
    jti,
    async revoke() {
      const res = await fetch(`${base}/revoke`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
        body: `token=${encodeURIComponent(token)}&token_type_hint=access_token`,
        signal: AbortSignal.timeout(10_000),
      });
      const t0 = performance.now();
      const body = await res.text();
      if (res.status !== 200) throw new Error(`/revoke: HTTP ${res.status} ${body}`);
      return t0;
    },
  };
}
