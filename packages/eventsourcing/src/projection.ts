import type { DomainEvent } from '@idp/contracts';
import type { EventStore } from '@idp/eventstore';

/**
 * A read model kept from events. `apply` must be idempotent (the bus is
 * at-least-once) and must give the same result live and in a replay: the
 * replay CLI and the live consumer call the very same method.
 */
export interface Projection {
  readonly name: string;
  readonly handles: readonly DomainEvent['type'][];
  /**
   * True when applying its events in any order, or concurrently, gives the
   * same read model (e.g. ADR 0008's SET NX / SET rule). A replay then sends
   * a whole batch's writes at once instead of one round trip per event.
   */
  readonly orderIndependent?: boolean;
  apply(event: DomainEvent): Promise<void>;
}

/** Routes one event to every projection that handles its type. */
export class Projector {
  private readonly byType = new Map<string, Projection[]>();

  constructor(projections: readonly Projection[]) {
    for (const p of projections) {
      for (const type of p.handles) this.byType.set(type, [...(this.byType.get(type) ?? []), p]);
    }
  }

  handles(type: string): boolean {
    return this.byType.has(type);
  }

  async apply(event: DomainEvent): Promise<void> {
    for (const p of this.byType.get(event.type) ?? []) await p.apply(event);
  }

  /**
   * Replays the whole store (the rebuild CLI and the embedded start-up). Each
   * batch goes to every projection at once: an order-dependent projection
   * gets its events one by one in position order, an order-independent one
   * all of them concurrently (ioredis pipelines them into a few round trips).
   * The next batch is read while this one is applied.
   */
  async replay(
    store: EventStore,
    options: { batchSize?: number } = {},
  ): Promise<{ events: number; applied: number }> {
    const batchSize = options.batchSize ?? 1_000;
    let events = 0;
    let applied = 0;
    let next = store.readAll('0', batchSize);
    for (;;) {
      const batch = await next;
      const more = batch.length === batchSize;
      if (more) {
        next = store.readAll(batch[batch.length - 1]!.position, batchSize);
        // Awaited on the next turn; until then a failure must not count as unhandled.
        next.catch(() => undefined);
      }
      events += batch.length;
      applied += await this.applyBatch(batch as unknown as DomainEvent[]);
      if (!more) return { events, applied };
    }
  }

  /** Applies a batch (see replay); resolves with how many events some projection handled. */
  private async applyBatch(batch: readonly DomainEvent[]): Promise<number> {
    const perProjection = new Map<Projection, DomainEvent[]>();
    let applied = 0;
    for (const e of batch) {
      const projections = this.byType.get(e.type);
      if (!projections) continue;
      applied++;
      for (const p of projections) {
        const events = perProjection.get(p);
        if (events) events.push(e);
        else perProjection.set(p, [e]);
      }
    }
    await Promise.all(
      [...perProjection].map(async ([p, events]) => {
        if (p.orderIndependent) {
          await Promise.all(events.map((e) => p.apply(e)));
          return;
        }
        for (const e of events) await p.apply(e);
      }),
    );
    return applied;
  }
}
