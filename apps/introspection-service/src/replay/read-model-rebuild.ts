import type { EventStore } from '@idp/eventstore';
import type { Projector } from '@idp/eventsourcing';

/** Deletes this deployment's introspection read model (and nothing else). */
export interface ReadModelEraser {
  /** Resolves with how many keys were deleted. */
  erase(): Promise<number>;
}

export interface RebuildOptions {
  /** Given: the read model is erased first (`rebuild --flush`); absent: replayed over what is there. */
  readonly eraser?: ReadModelEraser;
  readonly batchSize?: number;
  /** Milliseconds clock for the report; default `performance.now`. */
  readonly clock?: () => number;
}

export interface RebuildReport {
  /** Events read from the store. */
  readonly events: number;
  /** Events some projection handled. */
  readonly applied: number;
  /** Keys erased first (`--flush`), if any. */
  readonly erased?: number;
  readonly ms: number;
}

/**
 * Rebuilds the introspection read model from the event store, from position 0,
 * through the very Projector the live consumer feeds (ARCHITECTURE.md: a
 * replay gives the same read model as live consumption). Safe over an
 * existing read model: active records are SET NX and tombstones SET, so a
 * replay never revives a revoked token and repeating it changes nothing.
 */
export async function rebuildReadModel(
  store: EventStore,
  projector: Projector,
  options: RebuildOptions = {},
): Promise<RebuildReport> {
  const clock = options.clock ?? (() => performance.now());
  const started = clock();
  // An empty store means a wrong DATABASE_URL/DATABASE_SCHEMA (a live one
  // always holds the key ring): stop before erasing anything.
  if ((await store.readAll('0', 1)).length === 0) {
    throw new Error('the event store holds no events: check DATABASE_URL and DATABASE_SCHEMA');
  }
  const erased = options.eraser ? await options.eraser.erase() : undefined;
  const { events, applied } = await projector.replay(
    store,
    options.batchSize === undefined ? {} : { batchSize: options.batchSize },
  );
  return { events, applied, ...(erased === undefined ? {} : { erased }), ms: clock() - started };
}

/** One line for the operator: counts, time and rate. */
export function describeRebuild(report: RebuildReport): string {
  const seconds = report.ms / 1000;
  const rate = seconds > 0 ? Math.round(report.events / seconds) : report.events;
  const erased = report.erased === undefined ? '' : `erased ${report.erased} keys, then `;
  return (
    `${erased}read ${report.events} events, applied ${report.applied} to the read model ` +
    `in ${seconds.toFixed(2)} s (${rate} events/s)`
  );
}
