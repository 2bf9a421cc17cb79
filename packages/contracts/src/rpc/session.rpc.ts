import { z } from 'zod';

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

export const sessionRpcMethods = {
  startSession: {
    request: z.object({
      sub: z.string(),
      amr: z.array(z.string()),
      acr: z.string().optional(),
    }),
    response: sessionView,
  },
  /** The live session, or null when unknown, ended or expired (prompt=none and max_age read it). */
  getSession: {
    request: z.object({ sid: z.string().max(200) }),
    response: z.object({ session: sessionView.nullable() }),
  },
};
export type SessionRpcMethods = typeof sessionRpcMethods;
