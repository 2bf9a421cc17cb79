import type {
  DeadLetter,
  DeadLetterReader,
  DeliveryContext,
  EventBus,
  EventHandler,
  SubscribeOptions,
} from '@idp/bus';
import {
  EventValidationError,
  SessionStarted,
  uuidv7,
  type DomainEvent,
  type EventEnvelope,
} from '@idp/contracts';

/** What an adapter hands the suite: a bus over `topics` (it must also create their `.dlq`). */
export interface EventBusFixture {
  readonly bus: EventBus & DeadLetterReader;
  /** Writes a value without produce-side validation, as a foreign or buggy producer would. */
  publishRaw(topic: string, key: string, value: string): Promise<void>;
  cleanup(): Promise<void>;
}

export interface EventBusContractOptions {
  /** Longest wait for an expected delivery (default 10 s). */
  readonly timeoutMs?: number;
  /** How long "nothing else arrives" is observed (default 300 ms). */
  readonly quietMs?: number;
}

/** A valid event of stream `key` at `version`: the suite tracks order through streamVersion. */
export function sampleEvent(key: string, version: number): EventEnvelope {
  const pending = SessionStarted.create(
    { sid: key, sub: 'user-1', authTime: 1, idleExpiresAt: 2, absoluteExpiresAt: 3 },
    { correlationId: 'bus-contract' },
  );
  return { ...pending, stream: key, streamVersion: version };
}

const msgs = (key: string, from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ key, value: sampleEvent(key, from + i) }));

interface Seen {
  readonly event: DomainEvent;
  readonly ctx: DeliveryContext;
  readonly member: string;
  readonly at: number;
}

/** Records deliveries; `behave` may throw or block to script a handler. */
class Inbox {
  readonly seen: Seen[] = [];
  handler(
    member = 'm',
    behave?: (e: DomainEvent, ctx: DeliveryContext) => Promise<void> | void,
  ): EventHandler {
    return async (event, ctx) => {
      this.seen.push({ event, ctx, member, at: Date.now() });
      await behave?.(event, ctx);
    };
  }
  /** Versions of `key` whose handling was attempted, in order. */
  versions(key?: string, member?: string): number[] {
    return this.seen
      .filter(
        (s) =>
          (key === undefined || s.event.stream === key) &&
          (member === undefined || s.member === member),
      )
      .map((s) => s.event.streamVersion);
  }
}

export function eventBusContract(
  name: string,
  make: (topics: readonly string[]) => Promise<EventBusFixture>,
  options: EventBusContractOptions = {},
): void {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const quietMs = options.quietMs ?? 300;
  const open: EventBusFixture[] = [];

  const waitFor = async (what: string, cond: () => boolean, ms = timeoutMs) => {
    const deadline = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const quiet = () => new Promise((r) => setTimeout(r, quietMs));
  const group = () => `test-group-${uuidv7()}`;
  const check = (title: string, fn: () => Promise<void>) => it(title, fn, timeoutMs * 3);

  /** A started bus over two fresh topics; fresh names keep runs on a shared broker apart. */
  async function setup() {
    const run = uuidv7();
    const topic = `test.${run}.token`;
    const fx = await make([topic, `test.${run}.session`]);
    open.push(fx);
    await fx.bus.start();
    expect(fx.bus.ready()).toBe(true);
    const subscribe = (o: Omit<SubscribeOptions, 'topics'> & Partial<SubscribeOptions>) =>
      fx.bus.subscribe({ topics: [topic], ...o });
    return { ...fx, topic, subscribe };
  }

  describe(`EventBus contract: ${name}`, () => {
    afterEach(async () => {
      for (const fx of open.splice(0)) {
        await fx.bus.close().catch(() => undefined);
        await fx.cleanup();
      }
    });

    check(
      'rejects an invalid event with EventValidationError and publishes none of the batch',
      async () => {
        const { bus, topic, subscribe } = await setup();
        const k = 'session-a';
        const bad = { ...sampleEvent(k, 2), id: 'not-a-uuid' };
        await expect(
          bus.publish(topic, [...msgs(k, 1, 1), { key: k, value: bad }]),
        ).rejects.toBeInstanceOf(EventValidationError);
        await expect(
          bus.publish(topic, [{ key: k, value: { ...sampleEvent(k, 2), data: {} } }]),
        ).rejects.toBeInstanceOf(EventValidationError);
        await bus.publish(topic, msgs(k, 3, 3));
        const inbox = new Inbox();
        await subscribe({ groupId: group(), handler: inbox.handler() });
        await waitFor('the valid event', () => inbox.seen.length >= 1);
        await quiet();
        // Same key, same partition: anything published before version 3 would have come first.
        expect(inbox.versions()).toEqual([3]);
      },
    );

    check(
      'delivers each key in publish order, once, across keys, partitions and batches',
      async () => {
        const { bus, topic, subscribe } = await setup();
        const keys = ['session-k1', 'session-k2', 'session-k3', 'session-k4', 'session-k5'];
        const inbox = new Inbox();
        await subscribe({ groupId: group(), handler: inbox.handler() });
        for (let v = 1; v <= 30; v += 5)
          await bus.publish(
            topic,
            keys.flatMap((k) => msgs(k, v, v + 4)),
          );
        for (const k of keys) await bus.publish(topic, msgs(k, 31, 31));
        await waitFor('155 deliveries', () => inbox.seen.length >= 155);
        await quiet();
        expect(inbox.seen).toHaveLength(155);
        for (const k of keys) {
          expect(inbox.versions(k)).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
          expect(
            new Set(inbox.seen.filter((s) => s.event.stream === k).map((s) => s.ctx.partition))
              .size,
          ).toBe(1);
        }
      },
    );

    check(
      'gives every group every message, and each message to one member of a group',
      async () => {
        const { bus, topic, subscribe } = await setup();
        const a = new Inbox();
        const b = new Inbox();
        const groupA = group();
        await subscribe({ groupId: groupA, handler: a.handler('a1') });
        await subscribe({ groupId: groupA, handler: a.handler('a2') });
        await subscribe({ groupId: group(), handler: b.handler('b') });
        const keys = ['session-x', 'session-y', 'session-z', 'session-w'];
        for (const k of keys) await bus.publish(topic, msgs(k, 1, 10));
        await waitFor('both groups', () => a.seen.length >= 40 && b.seen.length >= 40);
        await quiet();
        const ids = (i: Inbox) => i.seen.map((s) => s.event.id).sort();
        expect(new Set(ids(a)).size).toBe(40);
        expect(ids(a)).toEqual(ids(b));
        expect(a.seen).toHaveLength(40);
        for (const k of keys)
          expect(b.versions(k)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
      },
    );

    check('waits for the handler promise before the next message of the partition', async () => {
      const { bus, topic, subscribe } = await setup();
      const k = 'session-slow';
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const inbox = new Inbox();
      await subscribe({
        groupId: group(),
        handler: inbox.handler('m', (e) => (e.streamVersion === 1 ? gate : undefined)),
      });
      await bus.publish(topic, msgs(k, 1, 2));
      await waitFor('version 1', () => inbox.seen.length >= 1);
      await quiet();
      expect(inbox.versions()).toEqual([1]);
      release();
      await waitFor('version 2', () => inbox.seen.length >= 2);
      const [first, second] = inbox.seen;
      expect(first?.ctx).toEqual({
        topic,
        partition: expect.any(Number),
        offset: expect.stringMatching(/^\d+$/),
        attempt: 1,
      });
      expect(BigInt(second?.ctx.offset ?? 0) - BigInt(first?.ctx.offset ?? 0)).toBe(1n);
    });

    check('retries a failing handler with backoff, in order, then moves on', async () => {
      const { bus, topic, subscribe } = await setup();
      const k = 'session-flaky';
      const inbox = new Inbox();
      const handler = inbox.handler('m', (e, ctx) => {
        if (e.streamVersion === 2 && ctx.attempt < 3) throw new Error(`transient ${ctx.attempt}`);
      });
      await subscribe({
        groupId: group(),
        handler,
        maxAttempts: 5,
        retryBackoffMs: { initial: 40, max: 80 },
      });
      await bus.publish(topic, msgs(k, 1, 3));
      await waitFor('version 3', () => inbox.versions().includes(3));
      await quiet();
      expect(inbox.seen.map((s) => `${s.event.streamVersion}@${s.ctx.attempt}`)).toEqual([
        '1@1',
        '2@1',
        '2@2',
        '2@3',
        '3@1',
      ]);
      const at = inbox.seen.map((s) => s.at);
      expect((at[2] ?? 0) - (at[1] ?? 0)).toBeGreaterThanOrEqual(35);
      expect((at[3] ?? 0) - (at[2] ?? 0)).toBeGreaterThanOrEqual(75);
    });

    check(
      'dead-letters a message whose handler keeps failing, with where and why, and carries on',
      async () => {
        const { bus, topic, subscribe } = await setup();
        const k = 'session-poison';
        const inbox = new Inbox();
        const groupId = group();
        const handler = inbox.handler('m', (e) => {
          if (e.streamVersion === 2) throw new Error('boom on version 2');
        });
        await subscribe({
          groupId,
          handler,
          maxAttempts: 3,
          retryBackoffMs: { initial: 10, max: 20 },
        });
        const published = msgs(k, 1, 3);
        await bus.publish(topic, published);
        await waitFor('version 3', () => inbox.versions().includes(3));
        const letters: DeadLetter[] = [];
        await bus.subscribeDeadLetters({
          groupId: group(),
          topics: [topic],
          handler: async (l) => void letters.push(l),
        });
        await waitFor('the dead letter', () => letters.length >= 1);
        await quiet();
        expect(inbox.versions()).toEqual([1, 2, 2, 2, 3]);
        const failed = inbox.seen.find((s) => s.event.streamVersion === 2)?.ctx;
        expect(letters).toEqual([
          expect.objectContaining({
            topic,
            partition: failed?.partition,
            offset: failed?.offset,
            key: k,
            attempts: 3,
            groupId,
          }),
        ]);
        expect(letters[0]?.error).toContain('boom on version 2');
        expect(JSON.parse(letters[0]?.value ?? 'null')).toEqual(published[1]?.value);
        expect(Number.isNaN(Date.parse(letters[0]?.failedAt ?? ''))).toBe(false);
      },
    );

    check(
      'dead-letters values that are not JSON or fail their schema, never calling the handler',
      async () => {
        const { bus, topic, publishRaw, subscribe } = await setup();
        const k = 'session-garbage';
        const raw = [
          'not json {secret',
          JSON.stringify({ hello: 'world' }),
          JSON.stringify({ ...sampleEvent(k, 1), type: 'session.never_defined' }),
          JSON.stringify({ ...sampleEvent(k, 1), data: { sid: 42 } }),
        ];
        for (const value of raw) await publishRaw(topic, k, value);
        await bus.publish(topic, msgs(k, 2, 2));
        const inbox = new Inbox();
        const letters: DeadLetter[] = [];
        await subscribe({ groupId: group(), handler: inbox.handler() });
        await bus.subscribeDeadLetters({
          groupId: group(),
          topics: [topic],
          handler: async (l) => void letters.push(l),
        });
        await waitFor(
          '4 dead letters and the valid event',
          () => letters.length >= 4 && inbox.seen.length >= 1,
        );
        await quiet();
        expect(inbox.versions()).toEqual([2]);
        expect(letters.map((l) => l.value)).toEqual(raw);
        expect(letters.every((l) => l.attempts === 0 && l.topic === topic)).toBe(true);
        expect(letters.map((l) => l.error)).toEqual([
          'value is not valid JSON',
          expect.stringContaining('malformed envelope'),
          expect.stringContaining('unknown event session.never_defined'),
          expect.stringContaining('data.sid'),
        ]);
      },
    );

    check(
      'redelivers a message whose handling was cut short by close to the next member',
      async () => {
        const { bus, topic, subscribe } = await setup();
        const k = 'session-handover';
        const inbox = new Inbox();
        const groupId = group();
        const failing = inbox.handler('first', (e) => {
          if (e.streamVersion === 2) throw new Error('not yet');
        });
        const first = await subscribe({
          groupId,
          handler: failing,
          maxAttempts: 1000,
          retryBackoffMs: { initial: 20, max: 20 },
        });
        await bus.publish(topic, msgs(k, 1, 3));
        await waitFor(
          'two failed attempts',
          () => inbox.versions(k, 'first').filter((v) => v === 2).length >= 2,
        );
        await first.close();
        await subscribe({ groupId, handler: inbox.handler('second') });
        await waitFor('versions 2 and 3', () => inbox.versions(k, 'second').length >= 2);
        await quiet();
        expect(inbox.versions(k, 'second')).toEqual([2, 3]);
        expect(inbox.versions(k, 'first')).not.toContain(3);
      },
    );

    check(
      'stops delivering to a closed subscription; the group resumes where it committed',
      async () => {
        const { bus, topic, subscribe } = await setup();
        const k = 'session-resume';
        const inbox = new Inbox();
        const groupId = group();
        const first = await subscribe({ groupId, handler: inbox.handler('first') });
        await bus.publish(topic, msgs(k, 1, 3));
        await waitFor('versions 1-3', () => inbox.seen.length >= 3);
        await first.close();
        await bus.publish(topic, msgs(k, 4, 5));
        await quiet();
        expect(inbox.versions(k, 'first')).toEqual([1, 2, 3]);
        await subscribe({ groupId, handler: inbox.handler('second') });
        await waitFor('versions 4-5', () => inbox.versions(k, 'second').length >= 2);
        await quiet();
        expect(inbox.versions(k, 'second')).toEqual([4, 5]);
        expect(inbox.versions(k, 'first')).toEqual([1, 2, 3]);
      },
    );

    check('starts a new group at the end of the log when fromBeginning is false', async () => {
      const { bus, topic, subscribe } = await setup();
      const k = 'session-late';
      await bus.publish(topic, msgs(k, 1, 2));
      const inbox = new Inbox();
      await subscribe({ groupId: group(), handler: inbox.handler(), fromBeginning: false });
      await bus.publish(topic, msgs(k, 3, 3));
      await waitFor('version 3', () => inbox.seen.length >= 1);
      await quiet();
      expect(inbox.versions()).toEqual([3]);
    });

    check(
      'after bus.close(): not ready, publish and subscribe reject, nothing is delivered',
      async () => {
        const { bus, topic, publishRaw, subscribe } = await setup();
        const k = 'session-closed';
        const inbox = new Inbox();
        await subscribe({ groupId: group(), handler: inbox.handler() });
        await bus.publish(topic, msgs(k, 1, 1));
        await waitFor('version 1', () => inbox.seen.length >= 1);
        await bus.close();
        expect(bus.ready()).toBe(false);
        await expect(bus.publish(topic, msgs(k, 2, 2))).rejects.toThrow();
        await expect(subscribe({ groupId: group(), handler: inbox.handler() })).rejects.toThrow();
        // A closed in-process bus accepts no bytes at all; Kafka's raw producer still writes.
        await publishRaw(topic, k, JSON.stringify(sampleEvent(k, 3))).catch(() => undefined);
        await quiet();
        expect(inbox.versions()).toEqual([1]);
      },
    );
  });
}
