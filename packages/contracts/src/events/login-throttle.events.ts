import { z } from 'zod';
import { defineEvent, type EventOf } from '../define-event';
import { id } from './common';

/** base64url SHA-256 of the normalised username: the same for names that exist and names that do not. */
const throttleKey = z.string().regex(/^[A-Za-z0-9_-]{43}$/);

/**
 * Login-throttle stream (`login-throttle-<key>`), audit only (ADR 0016): a
 * username was locked after too many failed sign-ins, and an admin lifted
 * a lock. Keyed by a hash of the typed name, so a lock on a name that has
 * no account is recorded the same way and the log holds no typed names.
 */
export const LoginLocked = defineEvent(
  'login.locked',
  1,
  z.object({
    key: throttleKey,
    /** Epoch seconds. */
    until: z.number().int().nonnegative(),
    failures: z.number().int().positive(),
  }),
);

export const LoginUnlocked = defineEvent(
  'login.unlocked',
  1,
  z.object({ key: throttleKey, sub: id, reason: z.literal('admin') }),
);

export const loginThrottleEvents = [LoginLocked, LoginUnlocked] as const;

export type LoginThrottleEvent = EventOf<typeof LoginLocked> | EventOf<typeof LoginUnlocked>;
