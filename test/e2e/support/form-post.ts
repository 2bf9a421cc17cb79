/** A client that authenticates with a secret, as the seeds register it. */
export interface SecretClient {
  readonly id: string;
  readonly secret: string;
}

/** The Authorization header of HTTP Basic client authentication (client_secret_basic). */
export const basicAuth = (client: SecretClient): string =>
  `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`;

/**
 * A form POST with an Authorization header (to /token, /introspect, ...), as
 * a client library would send it: the status and the JSON answer. `form` is
 * sent as is when already encoded (repeated parameters such as `resource`).
 */
export async function postForm(
  url: string,
  authorization: string,
  form: string | Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
    body: typeof form === 'string' ? form : new URLSearchParams(form),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
