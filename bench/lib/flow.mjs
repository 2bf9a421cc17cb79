// The authorization code flow with PKCE as a browser and an RP would run it,
// against any target (ours or a peer; endpoints from discovery): GET
// /authorize, the login form POSTed, redirects followed on the provider's
// origin until the one to the RP, then the code exchanged at /token. Every
// step checks its answer and throws on anything unexpected. The login form
// is driven generically: its action and hidden inputs are read from the
// page, and the user and password go in the fields the target's `login`
// names (a peer entry's, bench/lib/peers.mjs; default `username`, `password`).
import { createHash, randomBytes } from 'node:crypto';
import { signProof } from './dpop.mjs';
import { basicAuth } from './oauth.mjs';

const TIMEOUT = () => AbortSignal.timeout(30_000);

class Jar {
  #cookies = new Map();
  header() {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  take(res) {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /max-age=0|expires=Thu, 01 Jan 1970/i.test(line))
        this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }
}

const decode = (s) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#x2F;/g, '/')
    .replace(/&amp;/g, '&');

/**
 * The login form of a page: its action and hidden inputs. `form` (a RegExp)
 * picks the <form> whose opening tag matches it; default the first form.
 */
export function formOf(html, form) {
  const forms = [...html.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/gi)].map((m) => m[0]);
  const chosen = form ? forms.find((f) => form.test(/<form\b[^>]*>/i.exec(f)[0])) : forms[0];
  const action = chosen && /<form[^>]*\saction="([^"]+)"/i.exec(chosen)?.[1];
  if (!action) throw new Error(`no login form in the page: ${html.slice(0, 300)}`);
  const fields = {};
  for (const m of chosen.matchAll(/<input[^>]*type="hidden"[^>]*>/gi)) {
    const name = /name="([^"]+)"/.exec(m[0])?.[1];
    const value = /value="([^"]*)"/.exec(m[0])?.[1];
    if (name) fields[name] = decode(value ?? '');
  }
  return { action: decode(action), fields };
}

/** `dpopKey` (bench/lib/dpop.mjs proofKey): a proof goes with the request, and the token must come back bound. */
async function tokenRequest(tokenUrl, client, params, dpopKey) {
  const res = await fetch(tokenUrl, {
    method: 'POST',
    headers: {
      authorization: basicAuth(client.client_id, client.client_secret),
      'content-type': 'application/x-www-form-urlencoded',
      ...(dpopKey && { dpop: signProof(dpopKey, { htm: 'POST', htu: tokenUrl }) }),
    },
    body: new URLSearchParams(params),
    signal: TIMEOUT(),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${tokenUrl}: ${res.status} ${text.slice(0, 300)}`);
  const body = JSON.parse(text);
  if (typeof body.access_token !== 'string') throw new Error(`no access_token: ${text}`);
  if (dpopKey && body.token_type !== 'DPoP')
    throw new Error(`a proof was sent, but token_type is ${body.token_type}`);
  return body;
}

/**
 * One whole flow for `user` and `client` (scope openid profile email
 * offline_access); returns the token response (access, refresh, ID token).
 * `dpopKey` (optional): the code is exchanged with a DPoP proof of that key,
 * so the access token is bound to it (RFC 9449).
 */
export async function codeFlow(
  { discovery, base, login: loginSpec = {} },
  client,
  user,
  redirectUri,
  { dpopKey } = {},
) {
  const jar = new Jar();
  const get = async (url, init = {}) => {
    const res = await fetch(url, {
      ...init,
      headers: { ...init.headers, cookie: jar.header() },
      redirect: 'manual',
      signal: TIMEOUT(),
    });
    jar.take(res);
    return res;
  };
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(12).toString('base64url');
  const authorize = new URL(discovery.authorization_endpoint);
  authorize.search = new URLSearchParams({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: redirectUri,
    scope: 'openid profile email offline_access',
    state,
    nonce: randomBytes(12).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  // Follow redirects on the provider's origin; return the response that is not one, or the RP redirect.
  const follow = async (res, from) => {
    for (let hops = 0; hops < 10 && res.status >= 300 && res.status < 400; hops++) {
      const next = new URL(res.headers.get('location'), from).toString();
      await res.arrayBuffer();
      if (next.startsWith(redirectUri)) return { redirect: next };
      from = next;
      res = await get(next);
    }
    return { res };
  };
  let step = await follow(await get(authorize.toString()), authorize.toString());
  if (step.redirect || step.res.status !== 200) {
    throw new Error(
      `expected the login page, got ${step.redirect ?? `${step.res.status} ${(await step.res.text()).slice(0, 300)}`}`,
    );
  }
  const login = formOf(await step.res.text(), loginSpec.form);
  const action = new URL(login.action, base).toString();
  step = await follow(
    await get(action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        ...login.fields,
        [loginSpec.username ?? 'username']: user.username,
        [loginSpec.password ?? 'password']: user.password,
      }).toString(),
    }),
    action,
  );
  if (!step.redirect) {
    throw new Error(
      `expected a redirect to the RP after login, got ${step.res.status}: ${(await step.res.text()).slice(0, 300)}`,
    );
  }
  const params = new URL(step.redirect).searchParams;
  if (params.get('state') !== state) throw new Error(`state mismatch in ${step.redirect}`);
  const code = params.get('code');
  if (!code) throw new Error(`no code in ${step.redirect}`);
  const tokens = await tokenRequest(
    discovery.token_endpoint,
    client,
    {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
    },
    dpopKey,
  );
  if (typeof tokens.id_token !== 'string') throw new Error('no id_token in the token response');
  if (typeof tokens.refresh_token !== 'string')
    throw new Error('no refresh_token in the token response');
  return tokens;
}

/** One refresh-token rotation: returns the new token response (with a new refresh token). */
export async function refresh({ discovery }, client, refreshToken) {
  const tokens = await tokenRequest(discovery.token_endpoint, client, {
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
  });
  if (typeof tokens.refresh_token !== 'string' || tokens.refresh_token === refreshToken)
    throw new Error('the refresh token was not rotated');
  return tokens;
}
