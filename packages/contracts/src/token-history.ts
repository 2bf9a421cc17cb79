import { z } from 'zod';
import { actorSchema } from './actor';
import { accessTokenFormat, id } from './events/common';
import { grantRevocationReason } from './events/grant.events';
import { SessionEnded } from './events/session.events';

/**
 * "Was this token active at T, and why not?" (issue #19, ADR 0037): the
 * answer folded from the event store, defined once for the pure fold in
 * domain, the AdminRpc `tokenHistory` method, the admin HTTP API and the CLI.
 * Times are RFC 3339 strings (event times keep their milliseconds); a token
 * is never in it, and neither is a keyed hash of one.
 */
const instant = z.iso.datetime({ offset: true });

/** The event behind a reason: when, which event, which request, and who, when an operator. */
const cause = {
  at: instant,
  eventId: z.string(),
  correlationId: z.string(),
  /** The admin caller (ADR 0017); absent when a client or the server itself acted. */
  actor: actorSchema.optional(),
};

/** The SSO session's end behind a `session_ended` grant revocation (logout). */
export const tokenHistorySessionEnd = z.object({
  sid: id,
  ...cause,
  /** The session.ended event's reason, whatever reasons it gains. */
  reason: SessionEnded.schema.shape.reason,
  /** The client whose RP-initiated logout ended it. */
  initiatedBy: id.optional(),
});

/**
 * Reuse detection's own record of a refresh token presented after its
 * rotation (`grant.reuse_detected`, issue #19 part 3), when the grant has one.
 */
export const tokenHistoryReuse = z.object({
  ...cause,
  /** Whether the token asked about is the one presented again (known for refresh tokens only). */
  presentedThisToken: z.boolean().optional(),
  /** The caller's address as auth-api saw it. */
  ip: z.string().optional(),
  /** The response the client's policy asked for, and the one carried out (`revoke_grant`, `end_session`). */
  policy: z.string().optional(),
  response: z.string().optional(),
});

/** Why a token was not active at the instant asked about: the first cause that ended it. */
export const tokenInactiveReason = z.discriminatedUnion('kind', [
  /** Ours (its MAC or signature verifies) but no event of its grant records it. */
  z.object({ kind: z.literal('not_recorded') }),
  z.object({ kind: z.literal('not_yet_issued'), issuedAt: instant }),
  /** `at` is the token's `exp`. */
  z.object({ kind: z.literal('expired'), at: instant }),
  /** This access token alone (RFC 7009 or an operator); the grant went on. */
  z.object({ kind: z.literal('revoked'), ...cause, reason: grantRevocationReason }),
  /** The whole grant, and with it every token issued under it. */
  z.object({
    kind: z.literal('grant_revoked'),
    ...cause,
    why: grantRevocationReason,
    /** Detection's own words (code_misuse). */
    detail: z.string().optional(),
    /** why `session_ended`: the session and who ended it. */
    session: tokenHistorySessionEnd.optional(),
    /** why `refresh_token_reuse`: the detection event, when recorded. */
    reuse: tokenHistoryReuse.optional(),
  }),
  /** A refresh token replaced by a newer one (rotation): `at` is the newer one's issue. */
  z.object({ kind: z.literal('rotated'), ...cause }),
  /** The grant's client was deleted (its grants are revoked right after). */
  z.object({ kind: z.literal('client_deleted'), ...cause, clientId: id }),
  /** The grant's user was deleted (its grants are revoked right after). */
  z.object({ kind: z.literal('user_deleted'), ...cause, sub: id }),
]);
export type TokenInactiveReason = z.output<typeof tokenInactiveReason>;

/** What the token is, from the event that issued it. */
export const tokenHistoryToken = z.object({
  kind: z.enum(['access_token', 'refresh_token']),
  /** Access tokens only; a refresh token is always opaque. */
  format: accessTokenFormat.optional(),
  /** Access tokens only (JWT and JWE are found by it; opaque ones have one too). */
  jti: id.optional(),
  clientId: id,
  sub: id.optional(),
  sid: id.optional(),
  scope: z.string(),
  /** The issuing event's time. */
  issuedAt: instant,
  expiresAt: instant,
  issuedBy: z.object({ eventId: z.string(), streamVersion: z.number().int().positive() }),
});

/** The token's state at one instant. */
export const tokenStateAt = z.object({
  at: instant,
  active: z.boolean(),
  /** Absent when no event records the token (reason `not_recorded`). */
  token: tokenHistoryToken.optional(),
  /** Present exactly when `active` is false. */
  reason: tokenInactiveReason.optional(),
});
export type TokenStateAt = z.output<typeof tokenStateAt>;

/** One event of the grant (or of its session, client or user), as an operator reads it. */
export const tokenHistoryEvent = z.object({
  eventId: z.string(),
  stream: z.string(),
  streamVersion: z.number().int().positive(),
  type: z.string(),
  occurredAt: instant,
  correlationId: z.string(),
  causationId: z.string().optional(),
  actor: actorSchema.optional(),
  /** The revocation reason of grant.revoked, grant.access_token_revoked and session.ended. */
  reason: z.string().optional(),
  /** The event's data, every keyed hash replaced by `[redacted]`. */
  data: z.record(z.string(), z.json()),
});
export type TokenHistoryEvent = z.output<typeof tokenHistoryEvent>;

export const tokenHistory = z.object({
  grantId: id,
  /** What was asked about: the token's kind, or the grant as a whole. */
  subject: z.enum(['access_token', 'refresh_token', 'grant']),
  /** The grant's events in stream order. */
  events: z.array(tokenHistoryEvent),
  /** Events of other streams the answer used: the session's end, the client's or user's deletion. */
  relatedEvents: z.array(tokenHistoryEvent),
  /** The token's state at the instant asked about; absent when a grant id was asked about. */
  state: tokenStateAt.optional(),
  /** The grant's own state at that instant (every token of it dies with it). */
  grant: z.object({
    clientId: id.optional(),
    sub: id.optional(),
    sid: id.optional(),
    /** Whether the grant had been revoked (or its client or user deleted) by then, and why. */
    endedBy: tokenInactiveReason.optional(),
  }),
});
export type TokenHistory = z.output<typeof tokenHistory>;
