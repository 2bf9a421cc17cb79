import type { ClientInformation } from '@idp/contracts';
import type { RegisteredClient } from '@idp/domain';

/** RFC 7591 3.2.1 / RFC 7592 3 fields the server manages: never client metadata. */
export const SERVER_MANAGED_FIELDS = [
  'client_secret',
  'client_id_issued_at',
  'client_secret_expires_at',
  'registration_access_token',
  'registration_client_uri',
] as const;

/** RFC 7592 2.2: a null value means "delete this field", exactly like leaving it out. */
export function withoutNulls(body: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== null));
}

/** The body without the server-managed fields (and without `source`, our own read-only field). */
export function metadataOnly(body: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out = withoutNulls(body);
  for (const field of [...SERVER_MANAGED_FIELDS, 'source']) delete out[field];
  return out;
}

const usesSecret = (client: RegisteredClient) =>
  client.secretHash !== undefined &&
  client.metadata.token_endpoint_auth_method !== 'none' &&
  client.metadata.token_endpoint_auth_method !== 'private_key_jwt';

/**
 * RFC 7591 3.2.1 client information: every registered value (defaults
 * included), client_id_issued_at, and client_secret_expires_at (0: our
 * secrets do not expire) whenever the client has a secret. The secret itself
 * only when it was just issued: we keep its hash, and for client_secret_jwt a
 * sealed copy that never leaves token-service (ADR 0031).
 */
export function clientInformation(
  client: RegisteredClient,
  issued: { readonly secret?: string; readonly registrationAccessToken?: string } = {},
): ClientInformation {
  return {
    metadata: JSON.parse(JSON.stringify(client.metadata)) as ClientInformation['metadata'],
    source: client.source,
    ...(client.issuedAt === undefined ? {} : { client_id_issued_at: client.issuedAt }),
    ...(issued.secret === undefined ? {} : { client_secret: issued.secret }),
    ...(usesSecret(client) ? { client_secret_expires_at: 0 } : {}),
    ...(issued.registrationAccessToken === undefined
      ? {}
      : { registration_access_token: issued.registrationAccessToken }),
  };
}
