import { z } from 'zod';
import { defineEvent, type EventOf } from '../define-event';
import { epochSeconds, id } from './common';

/** Session stream (`session-<sid>`): one SSO session and its logout. */
export const SessionStarted = defineEvent(
  'session.started',
  1,
  z.object({
    sid: id,
    sub: id,
    authTime: epochSeconds,
    amr: z.array(z.string()).default([]),
    acr: z.string().optional(),
    idleExpiresAt: epochSeconds,
    absoluteExpiresAt: epochSeconds,
  }),
);

/** A client received tokens in this session, so it must hear about its end. */
export const SessionClientJoined = defineEvent(
  'session.client_joined',
  1,
  z.object({ sid: id, clientId: id, grantId: id.optional() }),
);

/**
 * The session was used (reused at /authorize, or a client joined) and its
 * idle expiry moved forward. Written at most once per
 * SESSION_IDLE_EXTENSION_INTERVAL, never past the absolute expiry.
 */
export const SessionExtended = defineEvent(
  'session.extended',
  1,
  z.object({ sid: id, at: epochSeconds, idleExpiresAt: epochSeconds }),
);

export const SessionEnded = defineEvent(
  'session.ended',
  1,
  z.object({
    sid: id,
    sub: id,
    /** `refresh_token_reuse`: a grant of the session saw its refresh token reused (ADR 0038). */
    reason: z.enum([
      'rp_logout',
      'admin',
      'user_logout_all',
      'expired',
      'login_replaced',
      'refresh_token_reuse',
    ]),
    clientIds: z.array(id),
    /** Initiating client, if any (RP-initiated logout). */
    initiatedBy: id.optional(),
  }),
);

/**
 * A client received tokens in a session that had already ended: its tokens
 * were issued (or its join was heard) only after `session.ended` listed the
 * session's clients, as when the join's event was still in the outbox during
 * a Kafka outage, or the tokens were minted a few milliseconds before the
 * logout. It must hear about the logout all the same (back-channel logout),
 * and its tokens go the way of the session's (issue #12, ADR 0015).
 */
export const SessionClientJoinedAfterEnd = defineEvent(
  'session.client_joined_after_end',
  1,
  z.object({ sid: id, sub: id, clientId: id, grantId: id.optional() }),
);

/**
 * At most this many deliveries per scheduled/delivered event: a fan-out to
 * thousands of RPs is a few events, each well under Kafka's 1 MB message limit.
 */
export const MAX_DELIVERIES_PER_EVENT = 500;

/**
 * Back-channel logout deliveries were queued, one per RP: recorded per batch,
 * not per RP, since every event also travels through the outbox and Kafka to
 * every consumer of session events (ADR 0011).
 */
export const BackchannelLogoutScheduled = defineEvent(
  'session.backchannel_logout_scheduled',
  1,
  z.object({
    sid: id,
    deliveries: z
      .array(
        z.object({
          clientId: id,
          /** The logout token's jti: retries resend the same token identity. */
          jti: id,
          uri: z.string().url(),
        }),
      )
      .min(1)
      .max(MAX_DELIVERIES_PER_EVENT),
    /** Absent or `session_ended`: the fan-out; `admin_retry`: a dead letter requeued by an operator. */
    trigger: z.enum(['session_ended', 'admin_retry']).optional(),
  }),
);

export const BackchannelLogoutAttemptFailed = defineEvent(
  'session.backchannel_logout_attempt_failed',
  1,
  z.object({
    sid: id,
    clientId: id,
    jti: id,
    attempt: z.number().int().positive(),
    error: z.string().max(500),
    nextAttemptAt: epochSeconds,
  }),
);

/** RPs that accepted their logout token (2xx), per batch like the scheduling. */
export const BackchannelLogoutDelivered = defineEvent(
  'session.backchannel_logout_delivered',
  1,
  z.object({
    sid: id,
    deliveries: z
      .array(
        z.object({
          clientId: id,
          jti: id,
          attempt: z.number().int().positive(),
          status: z.number().int(),
        }),
      )
      .min(1)
      .max(MAX_DELIVERIES_PER_EVENT),
  }),
);

export const BackchannelLogoutDeadLettered = defineEvent(
  'session.backchannel_logout_dead_lettered',
  1,
  z.object({
    sid: id,
    clientId: id,
    jti: id,
    attempts: z.number().int().positive(),
    lastError: z.string().max(500),
  }),
);

export const sessionEvents = [
  SessionStarted,
  SessionClientJoined,
  SessionExtended,
  SessionEnded,
  SessionClientJoinedAfterEnd,
  BackchannelLogoutScheduled,
  BackchannelLogoutAttemptFailed,
  BackchannelLogoutDelivered,
  BackchannelLogoutDeadLettered,
] as const;

export type SessionEvent =
  | EventOf<typeof SessionStarted>
  | EventOf<typeof SessionClientJoined>
  | EventOf<typeof SessionExtended>
  | EventOf<typeof SessionEnded>
  | EventOf<typeof SessionClientJoinedAfterEnd>
  | EventOf<typeof BackchannelLogoutScheduled>
  | EventOf<typeof BackchannelLogoutAttemptFailed>
  | EventOf<typeof BackchannelLogoutDelivered>
  | EventOf<typeof BackchannelLogoutDeadLettered>;
