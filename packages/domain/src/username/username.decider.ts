import {
  UsernameClaimed,
  UsernameReleased,
  type PendingEvent,
  type UsernameEvent,
} from '@idp/contracts';
import {
  assertNever,
  DomainRuleError,
  type CommandMeta,
  type Decider,
  eventMeta,
} from '../decider';

/** Case-insensitive, Unicode-normalised: "Alice" and "alice" are one account name. */
export const normaliseUsername = (username: string): string =>
  username.normalize('NFKC').toLowerCase();

export type UsernameState = { readonly holder?: string };
export type UsernameCommand =
  | {
      readonly type: 'ClaimUsername';
      readonly username: string;
      readonly sub: string;
      readonly meta: CommandMeta;
    }
  | {
      readonly type: 'ReleaseUsername';
      readonly username: string;
      readonly sub: string;
      readonly meta: CommandMeta;
    };

function decide(
  command: UsernameCommand,
  state: UsernameState,
): PendingEvent<UsernameEvent['type'], UsernameEvent['data']>[] {
  switch (command.type) {
    case 'ClaimUsername':
      if (state.holder === command.sub) return [];
      if (state.holder) throw new DomainRuleError('user.username_taken', 'username already taken');
      return [
        UsernameClaimed.create(
          { username: command.username, sub: command.sub },
          eventMeta(command.meta),
        ),
      ];
    case 'ReleaseUsername':
      return state.holder === command.sub
        ? [
            UsernameReleased.create(
              { username: command.username, sub: command.sub },
              eventMeta(command.meta),
            ),
          ]
        : [];
    default:
      return assertNever(command);
  }
}

function evolve(_state: UsernameState, event: UsernameEvent): UsernameState {
  switch (event.type) {
    case 'username.claimed':
      return { holder: event.data.sub };
    case 'username.released':
      return {};
    default:
      return assertNever(event);
  }
}

export const usernameDecider: Decider<UsernameState, UsernameCommand, UsernameEvent> = {
  decide,
  evolve,
  initialState: () => ({}),
};
