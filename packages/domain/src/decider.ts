import type { EventEnvelope, PendingEvent } from '@idp/contracts';

/**
 * An aggregate's business logic as three pure functions (emmett's Decider).
 * `decide` sees the folded state and returns the new events to append; it
 * never does I/O, never reads a clock and never makes ids: time and ids
 * arrive in the command.
 */
export interface Decider<State, Command, Event extends EventEnvelope> {
  decide(command: Command, state: State): PendingEvent<Event['type'], Event['data']>[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

/** Folds a stream's events into state. */
export function fold<State, Event extends EventEnvelope>(
  decider: Pick<Decider<State, never, Event>, 'evolve' | 'initialState'>,
  events: readonly Event[],
): State {
  return events.reduce((s, e) => decider.evolve(s, e), decider.initialState());
}

/** Metadata every command carries in: the clock and the correlation id. */
export interface CommandMeta {
  /** Seconds since the epoch. */
  readonly now: number;
  readonly correlationId: string;
}

/** A business rule said no. Carries a stable code for the edge to translate. */
export class DomainRuleError extends Error {
  override readonly name = 'DomainRuleError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function assertNever(x: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(x)}`);
}
