import type {
  EventEnvelope,
  GrantEvent,
  SessionEvent,
  TokenHistory,
  TokenHistoryEvent,
  TokenInactiveReason,
  TokenStateAt,
} from '@idp/contracts';
import { instantMs, isoInstant } from '../instant';
import { redactSecrets } from '../redact-secrets';
import type { TokenRef } from './grant.queries';

/**
 * "Was this token active at T, and why not?" (issue #19, ADR 0037), folded
 * from the events alone: the grant's stream and, for the reasons that live
 * elsewhere, the session's end and the client's or user's deletion. Nothing
 * here reads a read model, so the answer is the same after a rebuild.
 *
 * An instant is compared with events by their `occurredAt` (the deciding
 * command's time, ADR 0020) and with a token's expiry by its `exp`: a token
 * is active from its issuing event until the first of its expiry and the
 * events that end it. When several ended it, the earliest is the reason.
 */
export interface TokenHistorySources {
  /** The grant's stream, in stream order. */
  readonly grant: readonly EventEnvelope[];
  /** The stream of the SSO session the grant was issued under, when it has one. */
  readonly session?: readonly EventEnvelope[];
  /** The grant's client's stream (client.deleted). */
  readonly client?: readonly EventEnvelope[];
  /** The grant's user's stream (user.deleted). */
  readonly user?: readonly EventEnvelope[];
}

/**
 * Recorded by reuse detection (issue #19 part 3) when a rotated refresh token
 * comes back; read by type so grants written before it existed fold alike.
 */
export const REUSE_DETECTED = 'grant.reuse_detected';

type Data<T extends GrantEvent['type']> = Extract<GrantEvent, { type: T }>['data'];
type SessionEnded = Extract<SessionEvent, { type: 'session.ended' }>;
type Issued = EventEnvelope<
  'grant.access_token_issued' | 'grant.refresh_token_issued',
  Data<'grant.access_token_issued'> | Data<'grant.refresh_token_issued'>
>;

const is = <T extends GrantEvent['type']>(
  e: EventEnvelope,
  type: T,
): e is Extract<GrantEvent, { type: T }> => e.type === type;

/** The event's time, id, request and admin caller: what every event-caused reason carries. */
function causeOf(e: EventEnvelope) {
  return {
    at: e.occurredAt,
    eventId: e.id,
    correlationId: e.correlationId,
    ...(e.actor === undefined ? {} : { actor: e.actor }),
  };
}

/** The event that issued the token, by jti (any access token) or keyed hash (opaque ones). */
function issuingEvent(events: readonly EventEnvelope[], ref: TokenRef): Issued | undefined {
  for (const e of events) {
    if (is(e, 'grant.access_token_issued')) {
      if ('jti' in ref ? e.data.jti === ref.jti : e.data.tokenHash === ref.tokenHash) return e;
    } else if (is(e, 'grant.refresh_token_issued') && 'tokenHash' in ref) {
      if (e.data.tokenHash === ref.tokenHash) return e;
    }
  }
  return undefined;
}

function sessionEnd(sources: TokenHistorySources): SessionEnded | undefined {
  return sources.session?.find((e): e is SessionEnded => e.type === 'session.ended');
}

/**
 * The first reuse detection before the revocation it caused: its time, the
 * caller's address and the response, and whether the token asked about is
 * the one presented again (the event names it by keyed hash).
 */
function reuseBefore(events: readonly EventEnvelope[], revocation: EventEnvelope, ref?: TokenRef) {
  const found = events.find(
    (e) => e.type === REUSE_DETECTED && e.streamVersion <= revocation.streamVersion,
  );
  if (!found) return undefined;
  const data = (found.data ?? {}) as Record<string, unknown>;
  const text = (k: string) => (typeof data[k] === 'string' ? { [k]: data[k] as string } : {});
  const presented = data['presentedTokenHash'];
  return {
    ...causeOf(found),
    ...(ref !== undefined && 'tokenHash' in ref && typeof presented === 'string'
      ? { presentedThisToken: presented === ref.tokenHash }
      : {}),
    ...text('ip'),
    ...text('policy'),
    ...text('response'),
  };
}

function grantRevokedReason(
  sources: TokenHistorySources,
  e: Extract<GrantEvent, { type: 'grant.revoked' }>,
  ref?: TokenRef,
): TokenInactiveReason {
  const ended = e.data.reason === 'session_ended' ? sessionEnd(sources) : undefined;
  const reuse =
    e.data.reason === 'refresh_token_reuse' ? reuseBefore(sources.grant, e, ref) : undefined;
  return {
    kind: 'grant_revoked',
    ...causeOf(e),
    why: e.data.reason,
    ...(e.data.detail === undefined ? {} : { detail: e.data.detail }),
    ...(ended === undefined
      ? {}
      : {
          session: {
            sid: ended.data.sid,
            ...causeOf(ended),
            reason: ended.data.reason,
            ...(ended.data.initiatedBy === undefined
              ? {}
              : { initiatedBy: ended.data.initiatedBy }),
          },
        }),
    ...(reuse === undefined ? {} : { reuse }),
  };
}

interface Ending {
  readonly atMs: number;
  readonly reason: TokenInactiveReason;
}

/**
 * What ends every token of the grant, in order: its revocation, and its
 * client's or user's deletion from `sinceMs` (a client deleted and registered
 * again under its id before the grant began is not this grant's end).
 */
function grantEndings(sources: TokenHistorySources, sinceMs: number, ref?: TokenRef): Ending[] {
  const endings: Ending[] = [];
  for (const e of sources.grant)
    if (is(e, 'grant.revoked'))
      endings.push({ atMs: instantMs(e.occurredAt), reason: grantRevokedReason(sources, e, ref) });
  const deletions: [readonly EventEnvelope[] | undefined, string][] = [
    [sources.client, 'client.deleted'],
    [sources.user, 'user.deleted'],
  ];
  for (const [stream, type] of deletions)
    for (const e of stream ?? []) {
      const atMs = instantMs(e.occurredAt);
      if (e.type !== type || atMs < sinceMs) continue;
      const data = e.data as { clientId?: string; sub?: string };
      endings.push({
        atMs,
        reason:
          type === 'client.deleted'
            ? { kind: 'client_deleted', ...causeOf(e), clientId: data.clientId ?? '' }
            : { kind: 'user_deleted', ...causeOf(e), sub: data.sub ?? '' },
      });
    }
  return endings;
}

/** The earliest ending at or before `atMs`; on a tie the first listed (events before expiry). */
function first(endings: readonly Ending[], atMs: number): TokenInactiveReason | undefined {
  let found: Ending | undefined;
  for (const e of endings) if (e.atMs <= atMs && (!found || e.atMs < found.atMs)) found = e;
  return found?.reason;
}

/** The token's state at `atMs` (epoch milliseconds). */
export function tokenStateAt(
  sources: TokenHistorySources,
  ref: TokenRef,
  atMs: number,
): TokenStateAt {
  const at = isoInstant(atMs);
  const issued = issuingEvent(sources.grant, ref);
  if (!issued) return { at, active: false, reason: { kind: 'not_recorded' } };
  const issuedMs = instantMs(issued.occurredAt);
  const d = issued.data;
  const access = is(issued, 'grant.access_token_issued') ? issued.data : undefined;
  const token = {
    kind: access ? ('access_token' as const) : ('refresh_token' as const),
    ...(access ? { format: access.format, jti: access.jti } : {}),
    clientId: d.clientId,
    ...(d.sub === undefined ? {} : { sub: d.sub }),
    ...(d.sid === undefined ? {} : { sid: d.sid }),
    scope: d.scope,
    issuedAt: issued.occurredAt,
    expiresAt: isoInstant(d.exp * 1000),
    issuedBy: { eventId: issued.id, streamVersion: issued.streamVersion },
  };
  if (atMs < issuedMs)
    return {
      at,
      active: false,
      token,
      reason: { kind: 'not_yet_issued', issuedAt: issued.occurredAt },
    };

  const endings = tokenEndings(sources, issued, ref);
  endings.push(...grantEndings(sources, issuedMs, ref));
  endings.push({ atMs: d.exp * 1000, reason: { kind: 'expired', at: token.expiresAt } });
  const reason = first(endings, atMs);
  return reason === undefined ? { at, active: true, token } : { at, active: false, token, reason };
}

/** What ends this one token, later in its grant's stream: its own revocation or its rotation. */
function tokenEndings(sources: TokenHistorySources, issued: Issued, ref: TokenRef): Ending[] {
  const endings: Ending[] = [];
  const jti = is(issued, 'grant.access_token_issued') ? issued.data.jti : undefined;
  for (const e of sources.grant) {
    if (e.streamVersion <= issued.streamVersion) continue;
    if (jti !== undefined && is(e, 'grant.access_token_revoked') && e.data.jti === jti)
      endings.push({
        atMs: instantMs(e.occurredAt),
        reason: { kind: 'revoked', ...causeOf(e), reason: e.data.reason },
      });
    if (
      jti === undefined &&
      'tokenHash' in ref &&
      is(e, 'grant.refresh_token_issued') &&
      e.data.replaces === ref.tokenHash
    )
      endings.push({ atMs: instantMs(e.occurredAt), reason: { kind: 'rotated', ...causeOf(e) } });
  }
  return endings;
}

const REASON_FIELD: Readonly<Record<string, true>> = {
  'grant.revoked': true,
  'grant.access_token_revoked': true,
  'session.ended': true,
};

/** An event as the answer lists it: its envelope, its reason, its data with hashes redacted. */
export function historyEvent(e: EventEnvelope): TokenHistoryEvent {
  // Events are JSON (they were parsed from it): their redacted data is too.
  const data = (redactSecrets(e.data) ?? {}) as TokenHistoryEvent['data'];
  const reason = REASON_FIELD[e.type] ? data['reason'] : undefined;
  return {
    eventId: e.id,
    stream: e.stream,
    streamVersion: e.streamVersion,
    type: e.type,
    occurredAt: e.occurredAt,
    correlationId: e.correlationId,
    ...(e.causationId === undefined ? {} : { causationId: e.causationId }),
    ...(e.actor === undefined ? {} : { actor: e.actor }),
    ...(typeof reason === 'string' ? { reason } : {}),
    data,
  };
}

/** The grant's owners as its first events name them. */
function owners(grant: readonly EventEnvelope[]) {
  for (const e of grant) {
    const d = e.data as { clientId?: unknown; sub?: unknown; sid?: unknown };
    if (typeof d.clientId === 'string')
      return {
        clientId: d.clientId,
        ...(typeof d.sub === 'string' ? { sub: d.sub } : {}),
        ...(typeof d.sid === 'string' ? { sid: d.sid } : {}),
      };
  }
  return {};
}

/** The events of other streams that took part in the answer, in time order. */
function related(sources: TokenHistorySources): EventEnvelope[] {
  const wanted = new Set(['session.started', 'session.ended', 'client.deleted', 'user.deleted']);
  return [...(sources.session ?? []), ...(sources.client ?? []), ...(sources.user ?? [])]
    .filter((e) => wanted.has(e.type))
    .sort((a, b) => instantMs(a.occurredAt) - instantMs(b.occurredAt));
}

/**
 * The whole answer: the grant's events in order, the related ones, the
 * grant's end by `atMs` and, given a token, the token's state at `atMs`.
 */
export function tokenHistory(
  sources: TokenHistorySources,
  grantId: string,
  token: { readonly kind: 'access_token' | 'refresh_token'; readonly ref: TokenRef } | undefined,
  atMs: number,
): TokenHistory {
  const firstMs = sources.grant[0] ? instantMs(sources.grant[0].occurredAt) : 0;
  const endedBy = first(grantEndings(sources, firstMs), atMs);
  return {
    grantId,
    subject: token?.kind ?? 'grant',
    events: sources.grant.map(historyEvent),
    relatedEvents: related(sources).map(historyEvent),
    ...(token === undefined ? {} : { state: tokenStateAt(sources, token.ref, atMs) }),
    grant: { ...owners(sources.grant), ...(endedBy === undefined ? {} : { endedBy }) },
  };
}
