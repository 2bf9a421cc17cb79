import { createServer } from 'node:http';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { DenyList } from './deny-list.mjs';

/** The event types this resource server asks for (docs/shared-signals.md). */
export const TOKEN_REVOKED = 'urn:idp:secevent:event-type:token-revoked';
export const SESSION_REVOKED =
  'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
const VERIFICATION = 'https://schemas.openid.net/secevent/ssf/event-type/verification';
const PUSH = 'urn:ietf:rfc:8935';

/**
 * A resource server that verifies the idp's JWT access tokens locally (the
 * JWKS, `typ: at+jwt`, issuer, expiry) and never calls introspection. At
 * start it creates its own Shared Signals push stream (RFC 8935) with a
 * client_credentials token scoped `ssf:manage`; on a token-revoked or
 * session-revoked SET it drops the tokens the SET names, so a revoked JWT
 * stops working here within the SET's delivery time instead of at its exp.
 *
 * Every outbound call is logged (`log('outbound', ...)`): the test reads
 * them to show introspection is never called.
 */
export async function startResourceServer({
  issuer,
  clientId,
  clientSecret,
  host = '127.0.0.1',
  port = 0,
  /** Where the idp reaches us; http://host:port by default (the idp must allow it: OUTBOUND_ALLOW). */
  publicUrl,
  log = (msg, fields) => console.log(JSON.stringify({ msg, ...fields })),
}) {
  const fetchJson = async (url, init = {}) => {
    log('outbound', { method: init.method ?? 'GET', url });
    const res = await fetch(url, init);
    const text = await res.text();
    if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${text}`);
    return text === '' ? undefined : JSON.parse(text);
  };
  const base = issuer.replace(/\/+$/, '');
  const oidc = await fetchJson(`${base}/.well-known/openid-configuration`);
  const ssf = await fetchJson(`${base}/.well-known/ssf-configuration`);
  const jwksUrl = new URL(oidc.jwks_uri);
  // jose fetches the JWKS itself: logged here once, as the other outbound calls.
  log('outbound', { method: 'GET', url: jwksUrl.href });
  const jwks = createRemoteJWKSet(jwksUrl);
  const denied = new DenyList();
  // Only the transmitter knows this: it comes back as the Authorization header of every push.
  const pushSecret = randomSecret();
  const verifications = [];

  async function verifyAccessToken(token) {
    const { payload } = await jwtVerify(token, jwks, { issuer: oidc.issuer, typ: 'at+jwt' });
    return payload;
  }

  async function api(req, res) {
    const match = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/.exec(req.headers.authorization ?? '');
    if (!match)
      return send(res, 401, { error: 'invalid_request' }, { 'www-authenticate': 'Bearer' });
    let claims;
    try {
      claims = await verifyAccessToken(match[1]);
    } catch {
      return send(res, 401, { error: 'invalid_token' }, bearer('invalid_token'));
    }
    const why = denied.refuses(claims);
    if (why)
      return send(
        res,
        401,
        { error: 'invalid_token', error_description: why },
        bearer('invalid_token'),
      );
    return send(res, 200, { sub: claims.sub, client_id: claims.client_id, scope: claims.scope });
  }

  /** RFC 8935 2: the SET as the body; 202 once it is verified and applied, 400 {err} otherwise. */
  async function receive(req, res) {
    if (!(await sameSecret(req.headers.authorization ?? '', `Bearer ${pushSecret}`)))
      return send(res, 401, { err: 'authentication_failed', description: 'wrong credentials' });
    const compact = await body(req);
    let set;
    try {
      ({ payload: set } = await jwtVerify(compact, jwks, {
        issuer: oidc.issuer,
        audience: clientId,
        typ: 'secevent+jwt',
      }));
    } catch (err) {
      log('set refused', { error: err.message });
      return send(res, 400, { err: 'invalid_request', description: 'SET not verified' });
    }
    apply(set);
    res.writeHead(202).end();
  }

  function apply(set) {
    const events = set.events ?? {};
    const subject = set.sub_id ?? {};
    const revoked = events[TOKEN_REVOKED];
    if (revoked) {
      for (const { jti, exp } of revoked.access_tokens ?? []) denied.dropJti(jti, exp);
      if (subject.session?.id) denied.dropSession(subject.session.id, revoked.exp);
    }
    if (events[SESSION_REVOKED]) {
      if (subject.session?.id) denied.dropSession(subject.session.id);
      else if (subject.user?.sub ?? subject.sub)
        denied.dropSubject(
          subject.user?.sub ?? subject.sub,
          events[SESSION_REVOKED].event_timestamp ?? set.iat,
        );
    }
    if (events[VERIFICATION]) verifications.push(events[VERIFICATION].state);
    log('set applied', { jti: set.jti, events: Object.keys(events) });
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    const handled =
      req.method === 'GET' && path === '/api/resource'
        ? api(req, res)
        : req.method === 'POST' && path === '/ssf/events'
          ? receive(req, res)
          : Promise.resolve(send(res, 404, { error: 'not_found' }));
    handled.catch((err) => {
      log('error', { error: err.message });
      if (!res.headersSent) send(res, 500, { error: 'server_error' });
    });
  });
  await new Promise((resolve) => server.listen(port, host, resolve));
  const url = `http://${host}:${server.address().port}`;

  // Our own stream: a client_credentials token with ssf:manage, then POST the configuration endpoint.
  const { access_token: manage } = await fetchJson(oidc.token_endpoint, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'ssf:manage' }).toString(),
  });
  const stream = await fetchJson(ssf.configuration_endpoint, {
    method: 'POST',
    headers: { authorization: `Bearer ${manage}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      events_requested: [TOKEN_REVOKED, SESSION_REVOKED],
      delivery: {
        method: PUSH,
        endpoint_url: `${publicUrl ?? url}/ssf/events`,
        authorization_header: `Bearer ${pushSecret}`,
      },
      description: 'ssf-resource-server example',
    }),
  });
  log('stream created', { stream_id: stream.stream_id, events: stream.events_delivered });

  return {
    url,
    streamId: stream.stream_id,
    verifications,
    async close() {
      // Leave no stream behind: a stream nobody listens to only fills a dead-letter queue.
      await fetchJson(
        `${ssf.configuration_endpoint}?stream_id=${encodeURIComponent(stream.stream_id)}`,
        {
          method: 'DELETE',
          headers: { authorization: `Bearer ${manage}` },
        },
      ).catch((err) => log('stream not deleted', { error: err.message }));
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function send(res, status, json, headers = {}) {
  res.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(JSON.stringify(json));
}

function bearer(error) {
  return { 'www-authenticate': `Bearer error="${error}"` };
}

function body(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      // A SET is a few kilobytes: anything far larger is not one.
      if (size > 64 * 1024) req.destroy(new Error('body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function randomSecret() {
  return Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
}

/** Compares digests of the two values, byte by byte without an early exit: no timing to learn from. */
async function sameSecret(given, expected) {
  const digest = async (s) =>
    new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', Buffer.from(s, 'utf8')));
  const [a, b] = await Promise.all([digest(given), digest(expected)]);
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
