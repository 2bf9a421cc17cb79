import { Logger } from '@nestjs/common';
import { type CustomTransportStrategy, type MessageHandler, Server } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import type { DomainEvent } from '@idp/contracts';
import type { DeliveryContext, EventBus, Subscription } from '@idp/bus';
import type { EventSubscriptionPattern } from './on-event.decorator';
import { metrics } from '../metrics/metrics';

export interface EventBusServerOptions {
  readonly bus: EventBus;
  /**
   * Physical topic = prefix + logical topic, and physical consumer group =
   * prefix + group (isolates environments and test runs sharing a broker).
   */
  readonly topicPrefix?: string;
}

type Chained = MessageHandler & { next?: Chained };

/**
 * A NestJS transport over our EventBus port, so `@OnEvent` controllers are
 * the same code over Kafka and over the in-process bus. Unlike Nest's
 * built-in Kafka server, it waits for the handler's promise or observable to
 * finish before the bus commits the offset, and it leaves validation, retries
 * and dead-lettering to the bus (docs/adr/0002).
 */
export class EventBusServer extends Server implements CustomTransportStrategy {
  private readonly subscriptions: Subscription[] = [];
  private readonly log = new Logger('EventBusServer');

  constructor(private readonly options: EventBusServerOptions) {
    super();
  }

  async listen(callback: (err?: unknown) => void): Promise<void> {
    try {
      for (const [group, routes] of this.routesByGroup()) {
        const prefix = this.options.topicPrefix ?? '';
        const subscription = await this.options.bus.subscribe({
          // Prefixed like the topics: two deployments with one group id would
          // form one Kafka group, and its leader hands partitions of one
          // deployment's topics to the other's members, whose handlers then
          // apply (and commit) them against the wrong store. Metrics keep
          // the logical group name.
          groupId: prefix + group,
          topics: [...routes.keys()].map((t) => prefix + t),
          handler: (event, ctx) =>
            this.dispatch(group, routes.get(ctx.topic.slice(prefix.length)), event, ctx),
        });
        this.subscriptions.push(subscription);
      }
      callback();
    } catch (err) {
      callback(err);
    }
  }

  private routesByGroup(): Map<string, Map<string, Chained>> {
    const groups = new Map<string, Map<string, Chained>>();
    for (const [key, handler] of this.getHandlers()) {
      let pattern: Partial<EventSubscriptionPattern>;
      try {
        pattern = JSON.parse(key) as Partial<EventSubscriptionPattern>;
      } catch {
        throw new Error(`event pattern ${key} is not an @OnEvent(group, topic) pattern`);
      }
      if (!pattern.group || !pattern.topic)
        throw new Error(`event pattern ${key} needs a group and a topic`);
      const routes = groups.get(pattern.group) ?? new Map<string, Chained>();
      routes.set(pattern.topic, handler as Chained);
      groups.set(pattern.group, routes);
    }
    return groups;
  }

  private async dispatch(
    group: string,
    head: Chained | undefined,
    event: DomainEvent,
    ctx: DeliveryContext,
  ) {
    if (!head) throw new Error(`no handler for ${ctx.topic} in group ${group}`);
    const stop = metrics.eventHandlerSeconds.startTimer({ group });
    try {
      // Several controllers may listen to one topic in one group: run them all, in order.
      for (let h: Chained | undefined = head; h; h = h.next) {
        const result: unknown = await h(event, ctx);
        if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
      }
      metrics.eventsConsumed.inc({ group, type: event.type, outcome: 'ok' });
    } catch (err) {
      metrics.eventsConsumed.inc({ group, type: event.type, outcome: 'error' });
      this.log.warn(
        `${group} failed on ${event.type} ${event.id} (attempt ${ctx.attempt}): ${(err as Error).message}`,
      );
      throw err;
    } finally {
      stop();
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.subscriptions.splice(0).map((s) => s.close()));
  }

  on(): never {
    throw new Error('EventBusServer does not emit transport events');
  }

  unwrap<T>(): T {
    return this.options.bus as T;
  }
}
