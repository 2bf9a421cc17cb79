import {
  SessionClientJoined,
  SessionClientJoinedAfterEnd,
  SessionEnded,
  SessionExtended,
  SessionStarted,
  type PendingEvent,
  type SessionEvent,
} from '@idp/contracts';
import {
  assertNever,
  DomainRuleError,
  type CommandMeta,
  type Decider,
  eventMeta,
} from '../decider';

export interface LiveSession {
  readonly status: 'active';
  readonly sid: string;
  readonly sub: string;
  readonly authTime: number;
  readonly amr: readonly string[];
  readonly acr?: string | undefined;
  readonly clientIds: readonly string[];
  readonly idleExpiresAt: number;
  readonly absoluteExpiresAt: number;
  /** When the session was last used (login, or the last extension): paces extensions. */
  readonly lastUsedAt: number;
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

/** How use extends a session: by the idle lifetime, at most once per interval. */
export interface IdleExtension {
  readonly idleSeconds: number;
  /** Uses closer together than this write no event (the idle expiry moves in steps). */
  readonly minIntervalSeconds: number;
}

export type SessionCommand =
  | {
      readonly type: 'StartSession';
      readonly sid: string;
      readonly sub: string;
      readonly amr: readonly string[];
      readonly acr?: string | undefined;
      readonly lifetimes: SessionLifetimes;
      readonly meta: CommandMeta;
    }
  | {
      readonly type: 'JoinClient';
      readonly clientId: string;
      readonly grantId?: string;
      /** A client signing in through the session is a use of it: extend it too. */
      readonly extension?: IdleExtension;
      readonly meta: CommandMeta;
    }
  | {
      /** The session was used (reused at /authorize): move its idle expiry forward. */
      readonly type: 'ExtendSession';
      readonly extension: IdleExtension;
      readonly meta: CommandMeta;
    }
  | {
      readonly type: 'EndSession';
      readonly reason: SessionEndReason;
      readonly initiatedBy?: string;
      readonly meta: CommandMeta;
    };

/** Why a session ends: the reasons of session.ended (refresh_token_reuse: ADR 0038). */
export type SessionEndReason = Extract<SessionEvent, { type: 'session.ended' }>['data']['reason'];

type Pending = PendingEvent<SessionEvent['type'], SessionEvent['data']>[];

/** A session is usable until its idle or absolute lifetime runs out, whichever comes first. */
export function sessionIsLive(state: SessionState, now: number): state is LiveSession {
  return state.status === 'active' && now < state.idleExpiresAt && now < state.absoluteExpiresAt;
}

/**
 * A session.extended event when the session is live and the last use is at
 * least the interval ago; never past the absolute expiry, never backwards.
 * Pacing keeps a busy session from writing an event per request, at the cost
 * of the idle expiry lagging the last use by at most the interval.
 */
function extend(
  state: SessionState,
  extension: IdleExtension | undefined,
  meta: CommandMeta,
): Pending {
  if (extension === undefined || !sessionIsLive(state, meta.now)) return [];
  if (meta.now - state.lastUsedAt < extension.minIntervalSeconds) return [];
  const idleExpiresAt = Math.min(meta.now + extension.idleSeconds, state.absoluteExpiresAt);
  if (idleExpiresAt <= state.idleExpiresAt) return [];
  return [SessionExtended.create({ sid: state.sid, at: meta.now, idleExpiresAt }, eventMeta(meta))];
}

function decide(command: SessionCommand, state: SessionState): Pending {
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
          eventMeta(command.meta),
        ),
      ];
    }
    case 'JoinClient': {
      // Idempotent: a client joins once, before or after the end.
      if (state.status === 'none' || state.clientIds.includes(command.clientId)) return [];
      // A join heard after session.ended named the session's clients (the join's event was
      // delayed, or the tokens were minted just before the logout): the client took part, so
      // it must still be told. This is what makes the logout's reach exact whatever the order.
      if (state.status === 'ended') {
        return [
          SessionClientJoinedAfterEnd.create(
            {
              sid: state.sid,
              sub: state.sub,
              clientId: command.clientId,
              ...(command.grantId ? { grantId: command.grantId } : {}),
            },
            eventMeta(command.meta),
          ),
        ];
      }
      // Only the join is a use: later tokens (refreshes) are the RP's doing, not the user's.
      const joined = SessionClientJoined.create(
        {
          sid: state.sid,
          clientId: command.clientId,
          ...(command.grantId ? { grantId: command.grantId } : {}),
        },
        eventMeta(command.meta),
      );
      // Created after the join, so event ids follow the order of the events.
      return [joined, ...extend(state, command.extension, command.meta)];
    }
    case 'ExtendSession':
      return extend(state, command.extension, command.meta);
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
          eventMeta(command.meta),
        ),
      ];
    default:
      return assertNever(command);
  }
}

function evolve(state: SessionState, event: SessionEvent): SessionState {
  switch (event.type) {
    case 'session.started':
      return { status: 'active', clientIds: [], lastUsedAt: event.data.authTime, ...event.data };
    case 'session.client_joined':
      return state.status === 'active'
        ? { ...state, clientIds: [...state.clientIds, event.data.clientId] }
        : state;
    case 'session.extended':
      return state.status === 'active'
        ? { ...state, idleExpiresAt: event.data.idleExpiresAt, lastUsedAt: event.data.at }
        : state;
    case 'session.ended':
      return state.status === 'active'
        ? { status: 'ended', sid: state.sid, sub: state.sub, clientIds: state.clientIds }
        : state;
    case 'session.client_joined_after_end':
      return state.status === 'ended'
        ? { ...state, clientIds: [...state.clientIds, event.data.clientId] }
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
