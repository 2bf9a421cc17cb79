// Each Keycloak row's operation once, its answer checked: what check.mjs
// runs, and what a scenario can run before measuring Keycloak.
import { createPublicKey, verify } from 'node:crypto';
import { codeFlow, refresh } from '../flow.mjs';
import { basicAuth, checkActive, clientCredentials, introspect } from '../oauth.mjs';
import { CC_CLIENTS, REDIRECT_URI, USER, WEB_CLIENTS } from '../targets.mjs';

const part = (jwt, i) => JSON.parse(Buffer.from(jwt.split('.')[i], 'base64url').toString());

/** The JWT's signature checked with the realm's published key of its kid, and its alg as expected. */
async function checkSigned(jwt, alg, jwksUri) {
  const header = part(jwt, 0);
  if (header.alg !== alg) throw new Error(`expected a JWT signed with ${alg}, got ${header.alg}`);
  const { keys } = await (await fetch(jwksUri)).json();
  const jwk = keys.find((k) => k.kid === header.kid);
  if (!jwk) throw new Error(`no key ${header.kid} in ${jwksUri}`);
  const [h, p, s] = jwt.split('.');
  const good = verify(
    'sha256',
    Buffer.from(`${h}.${p}`),
    { key: createPublicKey({ key: jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' },
    Buffer.from(s, 'base64url'),
  );
  if (!good) throw new Error(`the ${alg} signature does not verify with key ${header.kid}`);
  return part(jwt, 1);
}

async function form(url, authorization, params) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, text: await res.text() };
}

/** Each row's operation once against a started Keycloak, its answer checked; `ok(msg)` per check. */
export async function verifyRows(target, ok) {
  const { discovery } = target;
  // Issuance, client_credentials, both JWT algs.
  for (const variant of ['JWT ES256', 'JWT RS256']) {
    const c = CC_CLIENTS[variant];
    const token = await clientCredentials(
      discovery.token_endpoint,
      basicAuth(c.client_id, c.client_secret),
      { scope: 'api:read' },
    );
    const claims = await checkSigned(token, c.access_token_signed_response_alg, discovery.jwks_uri);
    if (claims.azp !== c.client_id) throw new Error(`${variant}: azp ${claims.azp}`);
    ok(
      `issuance ${variant}: client_credentials token signed ${claims && c.access_token_signed_response_alg}, verified`,
    );
  }
  // Code flow with PKCE.
  const web = WEB_CLIENTS.opaque;
  const tokens = await codeFlow(target, web, USER, REDIRECT_URI);
  const id = await checkSigned(tokens.id_token, 'RS256', discovery.jwks_uri);
  if (id.sub !== USER.sub || id.aud !== web.client_id)
    throw new Error(`ID token for ${id.sub} / ${id.aud}, expected ${USER.sub} / ${web.client_id}`);
  ok(
    `code flow (PKCE S256, login form): ID token for ${id.sub}, refresh token ${part(tokens.refresh_token, 1).typ}`,
  );
  // Refresh rotation: a new refresh token, the old one refused.
  const rotated = await refresh(target, web, tokens.refresh_token);
  // Userinfo (before the reuse below: Keycloak ends the session when a rotated-out refresh token comes back).
  const ui = await fetch(discovery.userinfo_endpoint, {
    headers: { authorization: `Bearer ${rotated.access_token}` },
  });
  const text = await ui.text();
  if (ui.status !== 200) throw new Error(`userinfo: ${ui.status} ${text}`);
  const info = JSON.parse(text);
  for (const [k, v] of Object.entries({ sub: USER.sub, ...USER.claims }))
    if (info[k] !== v)
      throw new Error(`userinfo ${k} is ${JSON.stringify(info[k])}, expected ${JSON.stringify(v)}`);
  ok(`userinfo: ${JSON.stringify(info)}`);
  const reuse = await form(discovery.token_endpoint, basicAuth(web.client_id, web.client_secret), {
    grant_type: 'refresh_token',
    refresh_token: tokens.refresh_token,
  });
  if (reuse.status !== 400 || !reuse.text.includes('invalid_grant'))
    throw new Error(`the rotated-out refresh token was not refused: ${reuse.status} ${reuse.text}`);
  ok('refresh rotation: new refresh token, the old one refused (400 invalid_grant)');
  // Introspection of the caller's own token, then after revocation.
  const cc = CC_CLIENTS['JWT ES256'];
  const auth = basicAuth(cc.client_id, cc.client_secret);
  const at = await clientCredentials(discovery.token_endpoint, auth, { scope: 'api:read' });
  const problem = checkActive(await introspect(discovery.introspection_endpoint, auth, at), {
    client_id: cc.client_id,
  });
  if (problem) throw new Error(`introspection: ${problem}`);
  const revoked = await form(discovery.revocation_endpoint, auth, { token: at });
  if (revoked.status !== 200) throw new Error(`revocation: ${revoked.status} ${revoked.text}`);
  const after = await introspect(discovery.introspection_endpoint, auth, at);
  if (after.status !== 200 || after.body.active !== false)
    throw new Error(`introspection after revocation: ${JSON.stringify(after)}`);
  ok('introspection: active:true for its own token, active:false after revocation');
}
