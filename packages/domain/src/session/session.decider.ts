import {
  SessionClientJoined,
  SessionEnded,
  SessionStarted,
  type PendingEvent,
  type SessionEvent,
} from '@idp/contracts';
import { assertNever, DomainRuleError, type CommandMeta, type Decider } from '../decider';

export const sessionStream = (sid: string): string => `session-${sid}`;

export interface LiveSession {
  readonly status: 'active';
  readonly sid: string;
  readonly sub: string;
  readonly authTime: number;
  readonly amr: readonly string[];
  readonly acr?: string;
  readonly clientIds: readonly string[];
  readonly idleExpiresAt: number;
  readonly absoluteExpiresAt: number;
}

export type SessionState =
  | { readonly status: 'none' }
  | LiveSession
  | {
      readonly status: 'ended';
      readonly sid: string;
      readonly sub: string;
      readonly clientIds: readonly string[];
    };

export interface SessionLifetimes {
  readonly idleSeconds: number;
  readonly absoluteSeconds: number;
}

export type SessionCommand =
  | {
      readonly type: 'StartSession';
      readonly sid: string;
      readonly sub: string;
      readonly amr: readonly string[];
      readonly acr?: string;
      readonly lifetimes: SessionLifetimes;
      readonly meta: CommandMeta;
    }
  | {
      readonly type: 'JoinClient';
      readonly clientId: string;
      readonly grantId?: string;
      readonly meta: CommandMeta;
    }
  | {
      readonly type: 'EndSession';
      readonly reason: 'rp_logout' | 'admin' | 'user_logout_all' | 'expired' | 'login_replaced';
      readonly initiatedBy?: string;
      readonly meta: CommandMeta;
    };

type Pending = PendingEvent<SessionEvent['type'], SessionEvent['data']>[];

/** A session is usable until its idle or absolute lifetime runs out, whichever comes first. */
export function sessionIsLive(state: SessionState, now: number): state is LiveSession {
  return state.status === 'active' && now < state.idleExpiresAt && now < state.absoluteExpiresAt;
}

function decide(command: SessionCommand, state: SessionState): Pending {
  const m = { correlationId: command.meta.correlationId };
  switch (command.type) {
    case 'StartSession': {
      if (state.status !== 'none')
        throw new DomainRuleError('session.exists', 'session id already used');
      const now = command.meta.now;
      return [
        SessionStarted.create(
          {
            sid: command.sid,
            sub: command.sub,
            authTime: now,
            amr: [...command.amr],
            ...(command.acr ? { acr: command.acr } : {}),
            idleExpiresAt: now + command.lifetimes.idleSeconds,
            absoluteExpiresAt: now + command.lifetimes.absoluteSeconds,
          },
          m,
        ),
      ];
    }
    case 'JoinClient':
      // Idempotent: a client joins once; tokens for an ended session are refused elsewhere.
      if (state.status !== 'active' || state.clientIds.includes(command.clientId)) return [];
      return [
        SessionClientJoined.create(
          {
            sid: state.sid,
            clientId: command.clientId,
            ...(command.grantId ? { grantId: command.grantId } : {}),
          },
          m,
        ),
      ];
    case 'EndSession':
      if (state.status !== 'active') return [];
      return [
        SessionEnded.create(
          {
            sid: state.sid,
            sub: state.sub,
            reason: command.reason,
            clientIds: [...state.clientIds],
            ...(command.initiatedBy ? { initiatedBy: command.initiatedBy } : {}),
          },
          m,
        ),
      ];
    default:
      return assertNever(command);
  }
}

function evolve(state: SessionState, event: SessionEvent): SessionState {
  switch (event.type) {
    case 'session.started':
      return { status: 'active', clientIds: [], ...event.data };
    case 'session.client_joined':
      return state.status === 'active'
        ? { ...state, clientIds: [...state.clientIds, event.data.clientId] }
        : state;
    case 'session.ended':
      return state.status === 'active'
        ? { status: 'ended', sid: state.sid, sub: state.sub, clientIds: state.clientIds }
        : state;
    case 'session.backchannel_logout_scheduled':
    case 'session.backchannel_logout_attempt_failed':
    case 'session.backchannel_logout_delivered':
    case 'session.backchannel_logout_dead_lettered':
      return state; // delivery bookkeeping, tracked by its own projection
    default:
      return assertNever(event);
  }
}

export const sessionDecider: Decider<SessionState, SessionCommand, SessionEvent> = {
  decide,
  evolve,
  initialState: () => ({ status: 'none' }),
};
