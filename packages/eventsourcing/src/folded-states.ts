import { LRUCache } from 'lru-cache';

/**
 * The last folded state of recently used streams, with the version it was
 * folded up to, so the next load reads only the events after it. Unlike
 * `RecentStates` nothing here is ever served stale: every load still asks
 * the store for the stream's newer events (an indexed read that usually
 * returns none); it only saves re-reading and re-folding the old ones. A
 * stream that grows with use (a refresh-token chain appends to its grant on
 * every rotation) then costs the same to load on its thousandth use as on
 * its first.
 *
 * Sound because events are immutable, stream versions never go back, and
 * `evolve` is pure (Decider): a kept state is exactly what folding the
 * stream up to its version gives. A state is kept per decider, so two
 * deciders reading one stream never see each other's states. Bounded; the
 * least recently kept stream goes first.
 */
export class FoldedStates {
  /** Undefined when sized 0. lru-cache's bound; its `peek` leaves recency as the order of keeps. */
  private readonly entries: LRUCache<string, Kept> | undefined;

  /** `maxStreams` 0 keeps nothing (every load reads the whole stream). */
  constructor(maxStreams: number) {
    if (!Number.isInteger(maxStreams) || maxStreams < 0) {
      throw new RangeError('FoldedStates: maxStreams must be an integer ≥ 0');
    }
    if (maxStreams > 0) this.entries = new LRUCache({ max: maxStreams });
  }

  get size(): number {
    return this.entries?.size ?? 0;
  }

  /** The state kept for `stream` as folded by `decider`, if any. */
  get<State>(decider: object, stream: string): { state: State; version: number } | undefined {
    const kept = this.entries?.peek(stream);
    if (kept === undefined || kept.decider !== decider) return undefined;
    return { state: kept.state as State, version: kept.version };
  }

  /** Keeps `state` at `version` unless a state at a later version is already kept. */
  keep(decider: object, stream: string, state: unknown, version: number): void {
    if (this.entries === undefined || version === 0) return;
    const kept = this.entries.peek(stream);
    if (kept !== undefined && kept.decider === decider && kept.version > version) return;
    this.entries.set(stream, { decider, state, version });
  }

  /** Forgets `stream` (its kept state proved not to fit the store). */
  forget(stream: string): void {
    this.entries?.delete(stream);
  }
}

interface Kept {
  readonly decider: object;
  readonly state: unknown;
  readonly version: number;
}
