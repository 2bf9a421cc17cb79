import type { EventEnvelope, IdSource, PendingEvent } from '@idp/contracts';

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

/**
 * What the caller of a command states: the business time its rules judge
 * by (seconds since the epoch) and the correlation id.
 */
export interface RequestMeta {
  readonly now: number;
  readonly correlationId: string;
  /**
   * The id of the event this command follows from, when it is one (a
   * revocation caused by reuse detection, a session ended by it): its
   * events carry it as their causation id, so the store holds the chain.
   */
  readonly causationId?: string | undefined;
}

/**
 * The meta a decider sees: the request's, plus what its events are stamped
 * with, filled in by the command runner from its one clock and id source
 * (ADR 0020). A decider takes every event's id and time from here, so it is
 * a function of (command, state) and a test can name the exact events.
 */
export interface CommandMeta extends RequestMeta {
  /** ISO time every event of this decision carries. */
  readonly occurredAt: string;
  /** The id for the next event: each call a new one. */
  readonly nextEventId: () => string;
}

/** A command as its caller writes it: the meta without what the runner stamps. */
export type Unstamped<Command> = Command extends { readonly meta: CommandMeta }
  ? Omit<Command, 'meta'> & { readonly meta: RequestMeta }
  : Command;

/**
 * Request meta stamped with the time and id source of the events decided
 * under it: what the command runner does to every command, and what a test
 * does with a fixed time and predictable ids.
 */
export function stampMeta(meta: RequestMeta, occurredAt: string, ids: IdSource): CommandMeta {
  return {
    now: meta.now,
    correlationId: meta.correlationId,
    ...(meta.causationId === undefined ? {} : { causationId: meta.causationId }),
    occurredAt,
    nextEventId: () => ids.next(),
  };
}

/** The envelope metadata of one event decided under `meta`. */
export function eventMeta(meta: CommandMeta): {
  id: string;
  occurredAt: string;
  correlationId: string;
  causationId?: string;
} {
  return {
    id: meta.nextEventId(),
    occurredAt: meta.occurredAt,
    correlationId: meta.correlationId,
    ...(meta.causationId === undefined ? {} : { causationId: meta.causationId }),
  };
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
