import type { ActorClaim } from '@idp/contracts';
import { InvalidRequest, InvalidScope, InvalidTarget, UnauthorizedClient } from '@idp/oauth-errors';
import type { RegisteredClient } from '../client/client.state';
import { narrowScope } from './scope';

/**
 * RFC 8693 token exchange, the decisions that need no I/O: which token
 * types are accepted, which target the client may ask for, the scope, and
 * the delegation chain (`act`). token-service's handler resolves the tokens
 * and mints; these functions say yes or no (ADR 0033).
 */
export const TOKEN_TYPE = {
  accessToken: 'urn:ietf:params:oauth:token-type:access_token',
  idToken: 'urn:ietf:params:oauth:token-type:id_token',
  jwt: 'urn:ietf:params:oauth:token-type:jwt',
} as const;

/** What a subject or actor token may be presented as (RFC 8693 3). */
export type PresentedTokenType = 'access_token' | 'id_token' | 'jwt';

/** RFC 8693 2.2.2: an unknown or unsupported type is invalid_request. */
export function presentedTokenType(value: string | undefined, param: string): PresentedTokenType {
  if (value === undefined || value === '') throw new InvalidRequest(`${param} is required`);
  switch (value) {
    case TOKEN_TYPE.accessToken:
      return 'access_token';
    case TOKEN_TYPE.idToken:
      return 'id_token';
    case TOKEN_TYPE.jwt:
      return 'jwt';
    default:
      throw new InvalidRequest(`${param} ${value.slice(0, 100)} is not supported`);
  }
}

/**
 * RFC 8693 2.1 requested_token_type: an access token (the target's format)
 * or a JWT (an RFC 9068 access token that the target can read, never opaque).
 */
export function requestedTokenType(value: string | undefined): 'access_token' | 'jwt' {
  if (value === undefined || value === TOKEN_TYPE.accessToken) return 'access_token';
  if (value === TOKEN_TYPE.jwt) return 'jwt';
  throw new InvalidRequest(`requested_token_type ${value.slice(0, 100)} is not supported`);
}

/**
 * The one target of the exchanged token. `resource` (RFC 8707) and
 * `audience` (a logical name) each name a value of the client's
 * `token_exchange.audiences`; anything else is invalid_target. A client
 * without a policy may not exchange at all (unauthorized_client).
 */
export function exchangeTarget(
  client: RegisteredClient,
  request: { readonly resource?: string | undefined; readonly audience?: string | undefined },
): string {
  const policy = client.metadata.token_exchange;
  if (policy === undefined || policy.audiences.length === 0)
    throw new UnauthorizedClient('the client has no token exchange policy');
  const { resource, audience } = request;
  if (resource !== undefined && audience !== undefined && resource !== audience)
    throw new InvalidTarget('resource and audience name different targets: ask for one');
  const wanted = resource ?? audience;
  if (wanted === undefined)
    throw new InvalidTarget('a token exchange must name its target (resource or audience)');
  if (!policy.audiences.includes(wanted))
    throw new InvalidTarget('the client may not exchange tokens for this target');
  return wanted;
}

/** RFC 8693 2.1 scope: narrows the subject token's scope, never widens it. */
export function exchangeScope(subjectScope: string, requested: string | undefined): string {
  const scope = narrowScope(subjectScope, requested);
  if (scope === undefined) throw new InvalidScope('the scope exceeds the subject token');
  return scope;
}

/** RFC 8693 4.1: how deep a delegation chain may get before we refuse it. */
export const MAX_ACTOR_CHAIN = 5;

function depth(act: ActorClaim | undefined): number {
  return act === undefined ? 0 : 1 + depth(act.act);
}

/**
 * Without an actor token the client impersonates the subject: only when its
 * policy says so. With one, the new `act` is the actor with the subject
 * token's own chain nested under it (RFC 8693 4.1: the outermost actor is
 * the current one).
 */
export function delegationChain(
  client: RegisteredClient,
  actor: ActorClaim | undefined,
  subjectAct: ActorClaim | undefined,
): ActorClaim | undefined {
  if (actor === undefined) {
    if (client.metadata.token_exchange?.impersonation !== true)
      throw new UnauthorizedClient('the client may not impersonate: send an actor_token');
    // Impersonation keeps whatever delegation the subject token already carried.
    return subjectAct;
  }
  const chain: ActorClaim = {
    sub: actor.sub,
    ...(actor.client_id === undefined ? {} : { client_id: actor.client_id }),
    ...(subjectAct === undefined ? {} : { act: subjectAct }),
  };
  if (depth(chain) > MAX_ACTOR_CHAIN) throw new InvalidRequest('the delegation chain is too long');
  return chain;
}

/**
 * RFC 8693 4.4: a subject token that says who may act for it is honoured:
 * every claim of `may_act` must match the actor. Malformed may_act refuses.
 */
export function assertMayAct(mayAct: unknown, actor: ActorClaim | undefined): void {
  if (mayAct === undefined) return;
  if (actor === undefined)
    throw new InvalidRequest('the subject token names who may act for it: send an actor_token');
  if (typeof mayAct !== 'object' || mayAct === null || Array.isArray(mayAct))
    throw new InvalidRequest('the subject token has a malformed may_act claim');
  const wanted = mayAct as Record<string, unknown>;
  const held: Record<string, unknown> = { sub: actor.sub, client_id: actor.client_id };
  const names = Object.keys(wanted).filter((k) => k === 'sub' || k === 'client_id');
  if (names.length === 0)
    throw new InvalidRequest('the subject token has a may_act claim we cannot match');
  for (const name of names)
    if (wanted[name] !== held[name])
      throw new InvalidRequest('the actor is not the one the subject token allows (may_act)');
}
