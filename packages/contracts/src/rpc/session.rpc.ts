import { z } from 'zod';
import { actorSchema } from '../actor';

/** auth-api → session-service: SSO sessions (login creates one; its sid goes into ID tokens). */
export const sessionView = z.object({
  sid: z.string(),
  sub: z.string(),
  authTime: z.number().int(),
  amr: z.array(z.string()),
  acr: z.string().optional(),
  clientIds: z.array(z.string()),
  /** Seconds since the epoch. */
  idleExpiresAt: z.number().int(),
  absoluteExpiresAt: z.number().int(),
});
export type SessionView = z.output<typeof sessionView>;

/** Why a session ended; the same reasons as the session.ended event. */
export const sessionEndReason = z.enum([
  'rp_logout',
  'admin',
  'user_logout_all',
  'expired',
  'login_replaced',
]);

/** A session that ended, as logout pages need it (front-channel iframes) and admins see it. */
export const endedSession = z.object({
  sid: z.string(),
  sub: z.string(),
  clientIds: z.array(z.string()),
});

export const sessionRpcMethods = {
  startSession: {
    request: z.object({
      sub: z.string(),
      amr: z.array(z.string()),
      acr: z.string().optional(),
    }),
    response: sessionView,
  },
  /**
   * The live session, or null when unknown, ended or expired (prompt=none and
   * max_age read it). `touch`: the session is being used (/authorize reuses
   * it), so its idle expiry moves forward (a session.extended event at most
   * once per SESSION_IDLE_EXTENSION_INTERVAL); the view returned is the extended one.
   */
  getSession: {
    request: z.object({ sid: z.string().max(200), touch: z.boolean().optional() }),
    response: z.object({ session: sessionView.nullable() }),
  },
  /**
   * Ends a session (a session.ended event; its effects follow from the event:
   * grants revoked by token-service, back-channel logout by session-service).
   * `ended` is null when the sid is unknown or already ended (idempotent).
   */
  endSession: {
    request: z.object({
      sid: z.string().max(200),
      reason: sessionEndReason,
      /** The client whose RP-initiated logout asked for it. */
      initiatedBy: z.string().max(200).optional(),
      /** The admin API's caller, when an operator ended it (ADR 0017). */
      actor: actorSchema.optional(),
    }),
    response: z.object({ ended: endedSession.nullable() }),
  },
  /** Ends every live session of a user (admin "log out everywhere"). */
  endSessionsOfUser: {
    request: z.object({
      sub: z.string().max(200),
      reason: sessionEndReason,
      actor: actorSchema.optional(),
    }),
    response: z.object({ ended: z.array(endedSession) }),
  },
};
export type SessionRpcMethods = typeof sessionRpcMethods;
