import { Logger } from '@nestjs/common';
import { type CustomTransportStrategy, type MessageHandler, Server } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import type { DomainEvent } from '@idp/contracts';
import type { DeliveryContext, EventBus, Subscription } from '@idp/bus';
import type { EventSubscriptionPattern } from './on-event.decorator';
import { trackConsumerGroup } from '../metrics/consumer-lag';
import { metrics } from '../metrics/metrics';
import { consumeInSpan } from './consume-span';
import { eventContext } from './event-context';

export interface EventBusServerOptions {
  readonly bus: EventBus;
  /**
   * Physical topic = prefix + logical topic, and physical consumer group =
   * prefix + group (isolates environments and test runs sharing a broker).
   */
  readonly topicPrefix?: string;
  /** Backoff between attempts to subscribe a group that failed. Default { initial: 500, max: 10 000 } ms. */
  readonly joinRetryMs?: { readonly initial: number; readonly max: number };
}

type Chained = MessageHandler & { next?: Chained };

/**
 * A NestJS transport over our EventBus port, so `@OnEvent` controllers are
 * the same code over Kafka and over the in-process bus. Unlike Nest's
 * built-in Kafka server, it waits for the handler's promise or observable to
 * finish before the bus commits the offset, and it leaves validation, retries
 * and dead-lettering to the bus (docs/adr/0002).
 *
 * listen() resolves once every group has joined. Groups join in parallel and
 * a group whose subscribe fails is logged and tried again with backoff until
 * it joins or the server closes: a consumer never crashes the process, and
 * runService does not make serving wait for it (docs/operations/restarts.md).
 */
export class EventBusServer extends Server implements CustomTransportStrategy {
  private readonly subscriptions: Subscription[] = [];
  private readonly log = new Logger('EventBusServer');
  private readonly closing = new AbortController();

  constructor(private readonly options: EventBusServerOptions) {
    super();
  }

  async listen(callback: (err?: unknown) => void): Promise<void> {
    let groups: Map<string, Map<string, Chained>>;
    try {
      groups = this.routesByGroup();
    } catch (err) {
      // A malformed @OnEvent pattern is a programming error: no retry can fix it.
      callback(err);
      return;
    }
    await Promise.all([...groups].map(([group, routes]) => this.join(group, routes)));
    callback();
  }

  /** Subscribes one group, retrying with backoff; resolves once joined or closed. */
  private async join(group: string, routes: Map<string, Chained>): Promise<void> {
    const prefix = this.options.topicPrefix ?? '';
    const backoff = this.options.joinRetryMs ?? { initial: 500, max: 10_000 };
    for (let failures = 0; !this.closing.signal.aborted;) {
      try {
        const subscription = await this.options.bus.subscribe({
          // Prefixed like the topics: two deployments with one group id would
          // form one Kafka group, and its leader hands partitions of one
          // deployment's topics to the other's members, whose handlers then
          // apply (and commit) them against the wrong store. Metrics keep
          // the logical group name.
          groupId: prefix + group,
          topics: [...routes.keys()].map((t) => prefix + t),
          // Each handler runs in the context of the request that caused its event.
          handler: (event, ctx) => {
            const topic = ctx.topic.slice(prefix.length);
            return consumeInSpan(group, topic, event, ctx, eventContext(event, ctx.headers), () =>
              this.dispatch(group, routes.get(topic), event, ctx),
            );
          },
        });
        // Closed while the join was under way: leave at once.
        if (this.closing.signal.aborted) await subscription.close();
        else this.subscriptions.push(subscription);
        trackConsumerGroup(
          group,
          prefix + group,
          [...routes.keys()].map((t) => ({ physical: prefix + t, logical: t })),
        );
        return;
      } catch (err) {
        failures++;
        const delay = Math.min(backoff.max, backoff.initial * 2 ** Math.min(failures - 1, 20));
        this.log.error(
          `${group} could not join (attempt ${failures}); retrying in ${delay} ms: ${(err as Error).message}`,
        );
        await this.pause(delay);
      }
    }
  }

  /** Sleeps `ms`, or less when the server closes (closing must not wait out a backoff). */
  private pause(ms: number): Promise<void> {
    const signal = this.closing.signal;
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
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
      // In the context of the event's request: with its request id, at debug.
      this.log.debug({ msg: 'event handled', group, type: event.type, event_id: event.id });
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
    this.closing.abort();
    await Promise.all(this.subscriptions.splice(0).map((s) => s.close()));
  }

  on(): never {
    throw new Error('EventBusServer does not emit transport events');
  }

  unwrap<T>(): T {
    return this.options.bus as T;
  }
}
