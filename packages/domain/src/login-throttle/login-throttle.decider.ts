import {
  LoginLocked,
  LoginUnlocked,
  type LoginThrottleEvent,
  type PendingEvent,
} from '@idp/contracts';
import { sha256Base64url } from '@idp/crypto';
import { assertNever, type CommandMeta, type Decider, eventMeta } from '../decider';
import { normaliseUsername } from '../username/username.decider';

/**
 * The throttle key of a typed username: a hash of its normalised form, so
 * "Alice" and "alice" share one count, a name with no account gets a key
 * like any other, and neither Redis nor the event log holds what was typed.
 */
export const loginThrottleKey = (username: string): string =>
  sha256Base64url(normaliseUsername(username));

export type LoginThrottleState = { readonly lockedUntil: number };

export type LoginThrottleCommand =
  | {
      readonly type: 'RecordLock';
      readonly key: string;
      /** Epoch seconds. */
      readonly until: number;
      readonly failures: number;
      readonly meta: CommandMeta;
    }
  | {
      readonly type: 'Unlock';
      readonly key: string;
      readonly sub: string;
      readonly meta: CommandMeta;
    };

function decide(
  command: LoginThrottleCommand,
  state: LoginThrottleState,
): PendingEvent<LoginThrottleEvent['type'], LoginThrottleEvent['data']>[] {
  switch (command.type) {
    case 'RecordLock':
      // A retried record of the same lock appends nothing.
      if (state.lockedUntil >= command.until) return [];
      return [
        LoginLocked.create(
          { key: command.key, until: command.until, failures: command.failures },
          eventMeta(command.meta),
        ),
      ];
    case 'Unlock':
      // Only a lock still running is lifted; the throttle store is cleared either way.
      if (state.lockedUntil <= command.meta.now) return [];
      return [
        LoginUnlocked.create(
          { key: command.key, sub: command.sub, reason: 'admin' },
          eventMeta(command.meta),
        ),
      ];
    default:
      return assertNever(command);
  }
}

function evolve(_state: LoginThrottleState, event: LoginThrottleEvent): LoginThrottleState {
  switch (event.type) {
    case 'login.locked':
      return { lockedUntil: event.data.until };
    case 'login.unlocked':
      return { lockedUntil: 0 };
    default:
      return assertNever(event);
  }
}

export const loginThrottleDecider: Decider<
  LoginThrottleState,
  LoginThrottleCommand,
  LoginThrottleEvent
> = { decide, evolve, initialState: () => ({ lockedUntil: 0 }) };
