import {
  systemClock,
  uuidv7Ids,
  type Clock,
  type EventEnvelope,
  type IdSource,
  type PendingEvent,
} from '@idp/contracts';
import {
  stampMeta,
  type CommandMeta,
  type Decider,
  type RequestMeta,
  type Unstamped,
} from '@idp/domain';
import { ConcurrencyError, type EventStore, type StoredEvent } from '@idp/eventstore';
import { FoldedStates } from './folded-states';
import { stampRequest, type RequestStamp } from './request-stamp';

export interface CommandResult<State> {
  readonly state: State;
  readonly appended: readonly PendingEvent[];
  readonly nextVersion: number;
}

export interface CommandRunnerOptions {
  /** Called after a commit that appended events: the outbox relay publishes at once. */
  readonly afterCommit?: () => void;
  readonly maxConflictRetries?: number;
  /**
   * Streams whose folded state this runner keeps, so a load reads only the
   * events after it (`FoldedStates`). Default 10,000; 0 reads every stream
   * whole on every load.
   */
  readonly keptStreams?: number;
  /** The one clock events take their time from (default: the system clock). */
  readonly clock?: Clock;
  /** The one source of event ids (default: UUIDv7 from `clock`). */
  readonly ids?: IdSource;
  /**
   * The request being served, if any: its id and traceparent are stamped on
   * the events decided (`stampRequest`). Processes pass observability's
   * `currentContext` (InfraModule does); default: none, events keep their
   * command's correlation id.
   */
  readonly requestContext?: () => RequestStamp | undefined;
}

/** A command as callers give it (the runner stamps its meta), or one built from the state. */
export type CommandInput<State, Command> =
  Unstamped<Command> | ((state: State) => Unstamped<Command>);

const DEFAULT_KEPT_STREAMS = 10_000;

/**
 * The thin command handler of every aggregate (a ZITADEL command made
 * small): read the stream, fold, decide, append at the version read, and on
 * a concurrency conflict start over with the fresh stream. The decider sees
 * the real latest state, so a retry never double-applies a rule. Folded
 * states are kept per stream (`FoldedStates`), so a load reads only what
 * was appended since.
 */
export class CommandRunner {
  private readonly folded: FoldedStates;
  readonly clock: Clock;
  private readonly ids: IdSource;

  constructor(
    private readonly store: EventStore,
    private readonly options: CommandRunnerOptions = {},
  ) {
    this.folded = new FoldedStates(options.keptStreams ?? DEFAULT_KEPT_STREAMS);
    this.clock = options.clock ?? systemClock;
    this.ids = options.ids ?? uuidv7Ids(this.clock);
  }

  /** A command's request meta now: this runner's clock, and a new correlation id unless given. */
  requestMeta(correlationId?: string): RequestMeta {
    return { now: this.clock.nowSeconds(), correlationId: correlationId ?? this.ids.next() };
  }

  /**
   * The meta a decider sees: the caller's time and correlation id, plus the
   * time and ids of the events it decides, from this runner's clock and id
   * source (ADR 0020). Stamped anew for every attempt.
   */
  stamp(meta: RequestMeta): CommandMeta {
    return stampMeta(meta, new Date(this.clock.nowMs()).toISOString(), this.ids);
  }

  /**
   * The folded state this runner keeps for the stream, without reading the
   * store: it may be behind the stream. Only for a caller whose decision
   * holds for every later state too (a fact that later events never undo),
   * so it can skip the read when the kept state already shows it.
   */
  keptState<State, Command, Event extends EventEnvelope>(
    decider: Decider<State, Command, Event>,
    stream: string,
  ): State | undefined {
    return this.folded.get<State>(decider, stream)?.state;
  }

  /** The stream's current state: the kept state plus the events after it, or a fold of all. */
  async load<State, Command, Event extends EventEnvelope>(
    decider: Decider<State, Command, Event>,
    stream: string,
  ): Promise<{ state: State; version: number }> {
    const kept = this.folded.get<State>(decider, stream);
    if (kept !== undefined) {
      const newer = await this.store.readStream(stream, kept.version + 1);
      // Contiguous, as the store promises; anything else and the kept state is not trusted.
      if (newer.length === 0 || newer[0]?.streamVersion === kept.version + 1) {
        return this.folding(decider, stream, kept.state, kept.version, newer);
      }
      this.folded.forget(stream);
    }
    const events = await this.store.readStream(stream);
    return this.folding(decider, stream, decider.initialState(), 0, events);
  }

  private folding<State, Command, Event extends EventEnvelope>(
    decider: Decider<State, Command, Event>,
    stream: string,
    from: State,
    fromVersion: number,
    events: readonly StoredEvent[],
  ): { state: State; version: number } {
    const state = events.reduce((s, e) => decider.evolve(s, e as unknown as Event), from);
    const version = events.at(-1)?.streamVersion ?? fromVersion;
    if (events.length > 0) this.folded.keep(decider, stream, state, version);
    return { state, version };
  }

  /**
   * For a stream whose id the caller has just generated (a fresh uuidv7 or
   * 128 random bits): decides against the initial state and appends at
   * version 0 without reading the stream first, one query fewer on the
   * issuance path. Should the stream exist after all, the append conflicts and
   * this falls back to {@link run}. Only for fresh ids: a command that yields no
   * events (or throws) against the initial state is answered without a read.
   */
  async runNew<State, Command, Event extends EventEnvelope>(
    decider: Decider<State, Command, Event>,
    stream: string,
    command: CommandInput<State, Command>,
  ): Promise<CommandResult<State>> {
    return this.runFrom(decider, stream, command, { state: decider.initialState(), version: 0 });
  }

  /**
   * Like {@link run}, but the first attempt decides against a state the
   * caller loaded moments ago in the same request (e.g. the grant it
   * resolved a refresh token to), saving the second read. The append still
   * expects that version: if the stream moved meanwhile, it conflicts and
   * this falls back to {@link run} with fresh reads.
   */
  async runFrom<State, Command, Event extends EventEnvelope>(
    decider: Decider<State, Command, Event>,
    stream: string,
    command: CommandInput<State, Command>,
    loaded: { readonly state: State; readonly version: number },
  ): Promise<CommandResult<State>> {
    try {
      return await this.decideAndAppend(decider, stream, command, loaded.state, loaded.version);
    } catch (err) {
      if (!(err instanceof ConcurrencyError)) throw err;
      return this.run(decider, stream, command);
    }
  }

  async run<State, Command, Event extends EventEnvelope>(
    decider: Decider<State, Command, Event>,
    stream: string,
    command: CommandInput<State, Command>,
  ): Promise<CommandResult<State>> {
    const attempts = (this.options.maxConflictRetries ?? 5) + 1;
    for (let attempt = 1; ; attempt++) {
      const { state, version } = await this.load(decider, stream);
      try {
        return await this.decideAndAppend(decider, stream, command, state, version);
      } catch (err) {
        if (!(err instanceof ConcurrencyError) || attempt >= attempts) throw err;
      }
    }
  }

  private async decideAndAppend<State, Command, Event extends EventEnvelope>(
    decider: Decider<State, Command, Event>,
    stream: string,
    command: CommandInput<State, Command>,
    state: State,
    version: number,
  ): Promise<CommandResult<State>> {
    const input = (
      typeof command === 'function' ? (command as (s: State) => unknown)(state) : command
    ) as { readonly meta: RequestMeta };
    const cmd = { ...input, meta: this.stamp(input.meta) } as Command;
    const pending = stampRequest(decider.decide(cmd, state), this.options.requestContext?.());
    if (pending.length === 0) return { state, appended: [], nextVersion: version };
    const { nextVersion } = await this.store.append(stream, version, pending);
    this.options.afterCommit?.();
    const next = pending.reduce(
      (s, e, i) =>
        decider.evolve(s, { ...e, stream, streamVersion: version + i + 1 } as unknown as Event),
      state,
    );
    this.folded.keep(decider, stream, next, nextVersion);
    return { state: next, appended: pending, nextVersion };
  }
}
