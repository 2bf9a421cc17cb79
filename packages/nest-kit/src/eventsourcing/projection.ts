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

  /** Replays the whole store in order (the rebuild CLI and the embedded start-up). */
  async replay(
    store: EventStore,
    options: { batchSize?: number } = {},
  ): Promise<{ events: number; applied: number }> {
    const batchSize = options.batchSize ?? 1_000;
    let from = '0';
    let events = 0;
    let applied = 0;
    for (;;) {
      const batch = await store.readAll(from, batchSize);
      for (const e of batch) {
        events++;
        if (!this.handles(e.type)) continue;
        await this.apply(e as unknown as DomainEvent);
        applied++;
      }
      if (batch.length < batchSize) return { events, applied };
      from = batch[batch.length - 1]!.position;
    }
  }
}
