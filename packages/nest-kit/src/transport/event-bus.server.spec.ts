import { Controller, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Payload } from '@nestjs/microservices';
import type { INestMicroservice } from '@nestjs/common';
import { of, delay } from 'rxjs';
import { SessionStarted, TOPICS, type DomainEvent, freshEventMeta } from '@idp/contracts';
import { InProcessEventBus, silentBusLogger, type EventBus, type SubscribeOptions } from '@idp/bus';
import { EventBusServer } from './event-bus.server';
import { OnEvent } from './on-event.decorator';

@Injectable()
class Seen {
  readonly byGroup: Record<string, string[]> = { a: [], b: [] };
  failuresLeft = 1;
}

@Controller()
class GroupA {
  constructor(private readonly seen: Seen) {}
  @OnEvent('a', TOPICS.session)
  async on(@Payload() e: DomainEvent) {
    if (this.seen.failuresLeft-- > 0) throw new Error('transient');
    this.seen.byGroup.a!.push(e.id);
  }
}

@Controller()
class GroupB {
  constructor(private readonly seen: Seen) {}
  // An observable result must complete before the event counts as handled.
  @OnEvent('b', TOPICS.session)
  on(@Payload() e: DomainEvent) {
    return of(e.id)
      .pipe(delay(5))
      .forEach((id) => void this.seen.byGroup.b!.push(id));
  }
}

@Module({ controllers: [GroupA, GroupB], providers: [Seen] })
class TestModule {}

const event = (n: number) => ({
  ...SessionStarted.create(
    { sid: `s${n}`, sub: 'u', authTime: 1, idleExpiresAt: 2, absoluteExpiresAt: 3 },
    freshEventMeta('c'),
  ),
  stream: `session-s${n}`,
  streamVersion: 1,
});

async function until(check: () => boolean, ms = 5_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('EventBusServer: @OnEvent controllers over the EventBus port', () => {
  let bus: InProcessEventBus;
  let app: INestMicroservice;

  beforeAll(async () => {
    bus = new InProcessEventBus({ logger: silentBusLogger });
    await bus.start();
    app = await NestFactory.createMicroservice(TestModule, {
      strategy: new EventBusServer({ bus, topicPrefix: '' }),
      logger: false,
    });
    await app.listen();
  });
  afterAll(async () => {
    await app.close();
    await bus.close();
  });

  it('delivers every event to each consumer group independently, retrying a failed handler', async () => {
    const events = [event(1), event(2), event(3)];
    await bus.publish(
      TOPICS.session,
      events.map((value) => ({ key: value.stream, value })),
    );
    const seen = app.get(Seen);
    await until(() => seen.byGroup.a!.length === 3 && seen.byGroup.b!.length === 3);
    expect(seen.byGroup.a!.sort()).toEqual(events.map((e) => e.id).sort());
    expect(seen.byGroup.b!.sort()).toEqual(events.map((e) => e.id).sort());
  });
});

describe('EventBusServer: deployments sharing a broker', () => {
  it('prefixes consumer groups like topics, so two prefixes never share a group', async () => {
    const inner = new InProcessEventBus({
      logger: silentBusLogger,
      topics: [{ name: `bench.x1.${TOPICS.session}`, partitions: 1 }],
    });
    await inner.start();
    const subscribed: SubscribeOptions[] = [];
    const bus: EventBus = Object.assign(Object.create(inner) as EventBus, {
      subscribe: (opts: SubscribeOptions) => {
        subscribed.push(opts);
        return inner.subscribe(opts);
      },
    });
    const app = await NestFactory.createMicroservice(TestModule, {
      strategy: new EventBusServer({ bus, topicPrefix: 'bench.x1.' }),
      logger: false,
    });
    try {
      await app.listen();
      expect(subscribed.map((s) => [s.groupId, [...s.topics]]).sort()).toEqual([
        ['bench.x1.a', [`bench.x1.${TOPICS.session}`]],
        ['bench.x1.b', [`bench.x1.${TOPICS.session}`]],
      ]);
      // Routing still uses the logical topic: an event on the prefixed topic reaches the handlers.
      const e = event(9);
      await inner.publish(`bench.x1.${TOPICS.session}`, [{ key: e.stream, value: e }]);
      const seen = app.get(Seen);
      await until(() => seen.byGroup.b!.includes(e.id));
    } finally {
      await app.close();
      await inner.close();
    }
  });
});

describe('EventBusServer: a group that cannot join', () => {
  /** The in-process bus, except that group `a`'s first `failures` subscribe calls reject. */
  async function flakyBus(failures: number) {
    const inner = new InProcessEventBus({ logger: silentBusLogger });
    await inner.start();
    const attempts: Record<string, number> = {};
    const bus: EventBus = Object.assign(Object.create(inner) as EventBus, {
      subscribe: async (opts: SubscribeOptions) => {
        attempts[opts.groupId] = (attempts[opts.groupId] ?? 0) + 1;
        if (opts.groupId === 'a' && attempts[opts.groupId]! <= failures)
          throw new Error('coordinator not available');
        return inner.subscribe(opts);
      },
    });
    return { inner, bus, attempts };
  }

  it('is retried with backoff until it joins, while the other groups consume meanwhile', async () => {
    const { inner, bus, attempts } = await flakyBus(2);
    const app = await NestFactory.createMicroservice(TestModule, {
      strategy: new EventBusServer({ bus, joinRetryMs: { initial: 10, max: 20 } }),
      logger: false,
    });
    try {
      await app.listen(); // resolves (never rejects) once both groups joined
      expect(attempts).toEqual({ a: 3, b: 1 });
      const e = event(21);
      await inner.publish(TOPICS.session, [{ key: e.stream, value: e }]);
      const seen = app.get(Seen);
      seen.failuresLeft = 0;
      await until(() => seen.byGroup.a!.includes(e.id) && seen.byGroup.b!.includes(e.id));
    } finally {
      await app.close();
      await inner.close();
    }
  });

  it('stops retrying when the server closes, and listen() still settles', async () => {
    const { inner, bus, attempts } = await flakyBus(Number.POSITIVE_INFINITY);
    const app = await NestFactory.createMicroservice(TestModule, {
      strategy: new EventBusServer({ bus, joinRetryMs: { initial: 10, max: 10 } }),
      logger: false,
    });
    try {
      const listening = app.listen();
      await until(() => (attempts['a'] ?? 0) >= 3);
      await app.close();
      await listening;
      const after = attempts['a'];
      await new Promise((r) => setTimeout(r, 50));
      expect(attempts['a']).toBe(after);
    } finally {
      await inner.close();
    }
  });
});
