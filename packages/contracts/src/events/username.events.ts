import { z } from 'zod';
import { defineEvent, type EventOf } from '../define-event';
import { id } from './common';

/**
 * Username reservation stream (`username-<normalised name>`): one stream per
 * name makes uniqueness an optimistic-concurrency check (expected version 0)
 * and turns a login's username into a sub with one stream read.
 */
export const UsernameClaimed = defineEvent(
  'username.claimed',
  1,
  z.object({ username: z.string().min(1).max(200), sub: id }),
);

export const UsernameReleased = defineEvent(
  'username.released',
  1,
  z.object({ username: z.string(), sub: id }),
);

export const usernameEvents = [UsernameClaimed, UsernameReleased] as const;

export type UsernameEvent = EventOf<typeof UsernameClaimed> | EventOf<typeof UsernameReleased>;
