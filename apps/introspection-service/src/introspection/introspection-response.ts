import type { IntrospectionRecord } from '@idp/domain';

/** RFC 7662 2.2; `{ active: false }` and nothing else when the token is not active for the caller. */
export type IntrospectionResponse = Readonly<Record<string, unknown>> & {
  readonly active: boolean;
};

export const INACTIVE: IntrospectionResponse = Object.freeze({ active: false });

/**
 * Members we set ourselves: a configured extra claim of the same name is
 * dropped, even when we have no value for it (a client_credentials token has
 * no `sub`, and a `sub` claim must not appear from the client's claims).
 */
const STANDARD_MEMBERS: ReadonlySet<string> = new Set([
  'active',
  'scope',
  'client_id',
  'username',
  'token_type',
  'exp',
  'iat',
  'nbf',
  'sub',
  'aud',
  'iss',
  'jti',
  'sid',
  'grant_id',
  'cnf',
  'act',
]);

/**
 * Who may learn about a token (docs/introspection.md): a refresh token only
 * its own client; an access token its client or a resource server whose
 * client_id is one of its audiences. Anyone else gets the inactive answer,
 * never a hint why, so introspection cannot probe other clients' tokens.
 */
export function mayIntrospect(
  record: Extract<IntrospectionRecord, { active: true }>,
  callerId: string,
): boolean {
  if (record.client_id === callerId) return true;
  return record.token_type === 'access_token' && (record.aud ?? []).includes(callerId);
}

/**
 * The RFC 7662 answer for `callerId` at `now` (epoch seconds). An expired
 * token is inactive even while its entry is still in the read model.
 */
export function introspectionResponse(
  record: IntrospectionRecord,
  context: { readonly callerId: string; readonly issuer: string; readonly now: number },
): IntrospectionResponse {
  if (!record.active || record.exp <= context.now) return INACTIVE;
  if (!mayIntrospect(record, context.callerId)) return INACTIVE;
  const extra: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(record.extra_claims ?? {})) {
    if (!STANDARD_MEMBERS.has(name)) extra[name] = value;
  }
  return {
    ...extra,
    active: true,
    scope: record.scope,
    client_id: record.client_id,
    token_type: tokenTypeOf(record),
    exp: record.exp,
    iat: record.iat,
    nbf: record.iat,
    ...(record.sub === undefined ? {} : { sub: record.sub }),
    ...(record.aud === undefined || record.aud.length === 0 ? {} : { aud: [...record.aud] }),
    iss: context.issuer,
    ...(record.jti === undefined ? {} : { jti: record.jti }),
    ...(record.sid === undefined ? {} : { sid: record.sid }),
    ...(record.cnf === undefined ? {} : { cnf: { ...record.cnf } }),
    // RFC 8693 4.1: who acts for the subject of an exchanged token.
    ...(record.act === undefined ? {} : { act: record.act }),
  };
}

/** RFC 9449 6.2: a DPoP-bound access token introspects as token_type DPoP. */
function tokenTypeOf(record: Extract<IntrospectionRecord, { active: true }>): string {
  if (record.token_type !== 'access_token') return 'refresh_token';
  return record.cnf?.jkt === undefined ? 'Bearer' : 'DPoP';
}
