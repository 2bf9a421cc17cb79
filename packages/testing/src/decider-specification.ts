import { sequentialId, sequentialIds, type EventEnvelope, type PendingEvent } from '@idp/contracts';

/** The part of a Decider a specification needs (structural, so testing never imports domain). */
interface SpecDecider<State, Command, Event extends EventEnvelope> {
  decide(command: Command, state: State): PendingEvent[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

/** What a spec's command states; the spec stamps the rest as the command runner would. */
interface RequestMeta {
  readonly now: number;
  readonly correlationId: string;
}

/** A command as a spec writes it: its meta without the event time and id source. */
export type SpecCommand<Command> = Command extends { readonly meta: unknown }
  ? Omit<Command, 'meta'> & { readonly meta: RequestMeta }
  : Command;

/** An expected event: type and data; the spec fills in id, time, correlation id and version. */
export interface ExpectedEvent {
  readonly type: string;
  /** Omitted: any data (the test is about which events, not their content). */
  readonly data?: unknown;
  /** The schema version; 1 unless said. */
  readonly version?: number;
  /** The event it follows from, when the decider names one (an event id of the same decision). */
  readonly causationId?: string;
}

/** The time a spec's events carry: the command's `now`, as an ISO string. */
export const specOccurredAt = (now: number): string => new Date(now * 1000).toISOString();

/** The id of the n-th event (1-based) a spec's decision makes. */
export const specEventId = (n: number): string => sequentialId(n);

/**
 * Whole command meta at `now`, stamped as deciderSpec stamps it, for a
 * command a test also hands to `decide` directly (a fixture's history).
 */
export function specMeta(now: number, correlationId: string) {
  return {
    now,
    correlationId,
    occurredAt: specOccurredAt(now),
    nextEventId: sequentialIds().next,
  };
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
 * DeciderSpecification). The command is stamped as the command runner
 * stamps it (ADR 0020), from a fixed clock and id source: its events occur
 * at the command's `now` and take ids specEventId(1), (2), … in order. So
 * `then` compares whole events: a decider that made its own id or read the
 * clock would fail it.
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
        when(command: SpecCommand<Command>) {
          const meta = (command as { meta: RequestMeta }).meta;
          // A fresh id source per decision, as the runner gives each attempt.
          const run = () =>
            decider.decide(
              {
                ...command,
                meta: {
                  ...meta,
                  occurredAt: specOccurredAt(meta.now),
                  nextEventId: sequentialIds().next,
                },
              } as Command,
              state,
            );
          return {
            then(expected: readonly ExpectedEvent[]) {
              expect(run()).toEqual(
                expected.map((e, i) => ({
                  id: specEventId(i + 1),
                  type: e.type,
                  version: e.version ?? 1,
                  occurredAt: specOccurredAt(meta.now),
                  correlationId: meta.correlationId,
                  ...(e.causationId === undefined ? {} : { causationId: e.causationId }),
                  data: e.data === undefined ? expect.anything() : e.data,
                })),
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
