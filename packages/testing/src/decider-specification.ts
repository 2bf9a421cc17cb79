import type { EventEnvelope, PendingEvent } from '@idp/contracts';

/** The part of a Decider a specification needs (structural, so testing never imports domain). */
interface SpecDecider<State, Command, Event extends EventEnvelope> {
  decide(command: Command, state: State): PendingEvent[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

/** Test-only envelope filler: deciders care about type and data, not stream positions. */
export function asStored<E extends EventEnvelope>(
  pending: PendingEvent,
  stream = 'test',
  streamVersion = 1,
): E {
  return { ...pending, stream, streamVersion } as E;
}

/**
 * given(events).when(command).then(expected) for deciders (emmett's
 * DeciderSpecification). Compares type and data of the decided events;
 * ids and timestamps are the store's business.
 */
export function deciderSpec<State, Command, Event extends EventEnvelope>(
  decider: SpecDecider<State, Command, Event>,
) {
  return {
    given(events: readonly PendingEvent[]) {
      const state = events.reduce(
        (s, e, i) => decider.evolve(s, asStored<Event>(e, 'test', i + 1)),
        decider.initialState(),
      );
      return {
        when(command: Command) {
          const run = () => decider.decide(command, state);
          return {
            then(expected: readonly { type: string; data?: unknown }[]) {
              const actual = run().map((e) => ({ type: e.type, data: e.data }));
              expect(actual).toEqual(
                expected.map((e) =>
                  e.data === undefined ? { type: e.type, data: expect.anything() } : e,
                ),
              );
            },
            thenNothing() {
              expect(run()).toEqual([]);
            },
            thenThrows(matcher: RegExp | string | (new (...args: never[]) => Error)) {
              expect(run).toThrow(matcher as RegExp);
            },
          };
        },
      };
    },
  };
}
