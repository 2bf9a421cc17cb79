import { z } from 'zod';
import { defineEvent, type EventOf } from '../define-event';
import { claims, id } from './common';

/** User stream (`user-<sub>`). Passwords only as scrypt hashes (PHC-like string). */
export const UserCreated = defineEvent(
  'user.created',
  1,
  z.object({ sub: id, username: z.string().min(1).max(200), passwordHash: z.string(), claims }),
);

export const UserUpdated = defineEvent(
  'user.updated',
  1,
  z.object({
    sub: id,
    username: z.string().min(1).max(200).optional(),
    passwordHash: z.string().optional(),
    claims: claims.optional(),
  }),
);

export const UserDeleted = defineEvent('user.deleted', 1, z.object({ sub: id }));

export const userEvents = [UserCreated, UserUpdated, UserDeleted] as const;

export type UserEvent =
  EventOf<typeof UserCreated> | EventOf<typeof UserUpdated> | EventOf<typeof UserDeleted>;
