import {
  UserCreated,
  UserDeleted,
  UserUpdated,
  type PendingEvent,
  type UserEvent,
} from '@idp/contracts';
import {
  assertNever,
  DomainRuleError,
  type CommandMeta,
  type Decider,
  eventMeta,
} from '../decider';
import { claimsProblem } from './user.claims.rules';

export interface ActiveUser {
  readonly status: 'active';
  readonly sub: string;
  readonly username: string;
  /** scrypt, PHC-like string: verified outside (hashing is slow, i.e. not the decider's job). */
  readonly passwordHash: string;
  readonly claims: Readonly<Record<string, unknown>>;
}
/** OIDC Core 2: a `sub` is never reassigned, so a deleted one stays taken. */
export type UserState =
  { readonly status: 'absent' } | ActiveUser | { readonly status: 'deleted'; readonly sub: string };

type Claims = Readonly<Record<string, unknown>>;
export type UserCommand =
  | {
      readonly type: 'CreateUser';
      readonly sub: string;
      readonly username: string;
      readonly passwordHash: string;
      readonly claims: Claims;
      readonly meta: CommandMeta;
    }
  | {
      readonly type: 'UpdateUser';
      readonly username?: string;
      readonly passwordHash?: string;
      /** Replaces the whole claim set, so a claim can be removed. */
      readonly claims?: Claims;
      readonly meta: CommandMeta;
    }
  | { readonly type: 'DeleteUser'; readonly meta: CommandMeta };

export type PendingUserEvent = PendingEvent<UserEvent['type'], UserEvent['data']>;

function checkClaims(claims: Claims): void {
  const problem = claimsProblem(claims);
  if (problem) throw new DomainRuleError('user.invalid_claims', problem);
}

const same = (a: Claims, b: Claims) => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
const sorted = (c: Claims) =>
  Object.fromEntries(Object.entries(c).sort(([x], [y]) => (x < y ? -1 : 1)));

function decideUser(command: UserCommand, state: UserState): PendingUserEvent[] {
  switch (command.type) {
    case 'CreateUser': {
      if (state.status !== 'absent')
        throw new DomainRuleError('user.exists', `sub ${command.sub} is already taken`);
      checkClaims(command.claims);
      const { sub, username, passwordHash, claims } = command;
      return [
        UserCreated.create(
          { sub, username, passwordHash, claims: { ...claims } },
          eventMeta(command.meta),
        ),
      ];
    }
    case 'UpdateUser': {
      if (state.status !== 'active') throw new DomainRuleError('user.not_found', 'no such user');
      if (command.claims) checkClaims(command.claims);
      const changes = {
        ...(command.username !== undefined && command.username !== state.username
          ? { username: command.username }
          : {}),
        ...(command.passwordHash !== undefined && command.passwordHash !== state.passwordHash
          ? { passwordHash: command.passwordHash }
          : {}),
        ...(command.claims && !same(command.claims, state.claims)
          ? { claims: { ...command.claims } }
          : {}),
      };
      return Object.keys(changes).length === 0
        ? []
        : [UserUpdated.create({ sub: state.sub, ...changes }, eventMeta(command.meta))];
    }
    case 'DeleteUser':
      // Idempotent. The handler then revokes the user's grants (reason user_deleted).
      return state.status === 'active'
        ? [UserDeleted.create({ sub: state.sub }, eventMeta(command.meta))]
        : [];
    default:
      return assertNever(command);
  }
}

function evolveUser(state: UserState, event: UserEvent): UserState {
  switch (event.type) {
    case 'user.created':
      return { status: 'active', ...event.data };
    case 'user.updated': {
      if (state.status !== 'active') return state;
      const { sub: _sub, ...changes } = event.data;
      return {
        ...state,
        ...(changes.username === undefined ? {} : { username: changes.username }),
        ...(changes.passwordHash === undefined ? {} : { passwordHash: changes.passwordHash }),
        ...(changes.claims === undefined ? {} : { claims: changes.claims }),
      };
    }
    case 'user.deleted':
      return { status: 'deleted', sub: event.data.sub };
    default:
      return assertNever(event);
  }
}

/** The user aggregate (stream `user-<sub>`). Username uniqueness spans users: the handler owns it. */
export const userDecider: Decider<UserState, UserCommand, UserEvent> = {
  decide: decideUser,
  evolve: evolveUser,
  initialState: () => ({ status: 'absent' }),
};
