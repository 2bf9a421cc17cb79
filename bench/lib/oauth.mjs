// The two OAuth calls the bench makes outside the load: get a token, introspect one.

/** RFC 6749 2.3.1: client_id and secret form-urlencoded, then base64. */
export function basicAuth(clientId, clientSecret) {
  const enc = (s) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(clientId)}:${enc(clientSecret)}`).toString('base64')}`;
}

/** client_credentials at tokenUrl with client_secret_basic; returns the access token. */
export async function clientCredentials(tokenUrl, authorization, params = {}) {
  const res = await fetch(tokenUrl, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', ...params }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`${tokenUrl}: ${res.status} ${body}`);
  const { access_token: token } = JSON.parse(body);
  if (typeof token !== 'string') throw new Error(`${tokenUrl}: no access_token in ${body}`);
  return token;
}

/** One RFC 7662 request, exactly as the load sends it; returns { status, body }. */
export async function introspect(url, authorization, token) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
    body: `token=${encodeURIComponent(token)}`,
    signal: AbortSignal.timeout(10_000),
  });
  const { status, body } = await readBody(res);
  return { status, body };
}

/** A response's status, text and body (its JSON, or the text when it is not JSON). */
export async function readBody(res) {
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, text, body };
}

/** Whether a response is the active answer the bench expects (and the reason when not). */
export function checkActive({ status, body }, expect = {}) {
  if (status !== 200) return `HTTP ${status}: ${JSON.stringify(body)}`;
  if (!body || body.active !== true) return `not active: ${JSON.stringify(body)}`;
  for (const [k, v] of Object.entries(expect)) {
    if (body[k] !== v) return `${k} is ${JSON.stringify(body[k])}, expected ${JSON.stringify(v)}`;
  }
  return undefined;
}
