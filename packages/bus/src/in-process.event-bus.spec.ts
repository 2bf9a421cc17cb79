import { setTimeout as sleep } from 'node:timers/promises';
import { eventBusContract, sampleEvent } from '@idp/testing';
import { ALL_TOPICS, TOPICS } from '@idp/contracts';
import { BusClosedError, BusNotReadyError, UnknownTopicError } from './errors';
import { InProcessEventBus } from './in-process.event-bus';
import { partitionFor } from './in-process/partition-log';
import { silentBusLogger } from './logger';

eventBusContract('in-process', async (topics) => {
  const bus = new InProcessEventBus({
    topics: topics.map((name) => ({ name, partitions: 3 })),
    logger: silentBusLogger,
  });
  return {
    bus,
    publishRaw: (topic, key, value) => bus.appendRaw(topic, key, value),
    cleanup: async () => undefined,
  };
});

// The embedded mode's setting: publish resolves once every consuming group has handled it.
eventBusContract('in-process, ack when consumed', async (topics) => {
  const bus = new InProcessEventBus({
    topics: topics.map((name) => ({ name, partitions: 3 })),
    logger: silentBusLogger,
    ackWhen: 'consumed',
  });
  return {
    bus,
    publishRaw: (topic, key, value) => bus.appendRaw(topic, key, value),
    cleanup: async () => undefined,
  };
});

describe('InProcessEventBus', () => {
  const event = (v: number) => ({ key: 'session-1', value: sampleEvent('session-1', v) });
  let bus: InProcessEventBus;
  beforeEach(() => {
    bus = new InProcessEventBus({ logger: silentBusLogger, maxMessagesPerPartition: 10 });
  });
  afterEach(() => bus.close());

  it('serves ALL_TOPICS and their dead-letter topics by default, and rejects other topics', async () => {
    await bus.start();
    await expect(bus.publish('nope', [event(1)])).rejects.toBeInstanceOf(UnknownTopicError);
    await expect(
      bus.subscribe({ groupId: 'g', topics: ['nope'], handler: async () => undefined }),
    ).rejects.toBeInstanceOf(UnknownTopicError);
    for (const t of ALL_TOPICS) await expect(bus.publish(t, [])).resolves.toBeUndefined();
    await expect(
      bus.subscribeDeadLetters({
        groupId: 'g',
        topics: ALL_TOPICS,
        handler: async () => undefined,
      }),
    ).resolves.toBeDefined();
  });

  it('rejects publish before start (the outbox keeps the row) and after close', async () => {
    await expect(bus.publish(TOPICS.session, [event(1)])).rejects.toBeInstanceOf(BusNotReadyError);
    expect(bus.ready()).toBe(false);
    await bus.start();
    await bus.close();
    await expect(bus.publish(TOPICS.session, [event(1)])).rejects.toBeInstanceOf(BusClosedError);
  });

  it('delivers asynchronously: publish resolves before any handler runs', async () => {
    await bus.start();
    const seen: number[] = [];
    await bus.subscribe({
      groupId: 'g',
      topics: [TOPICS.session],
      handler: async (e) => void seen.push(e.streamVersion),
    });
    await bus.publish(TOPICS.session, [event(1)]);
    expect(seen).toEqual([]);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([1]);
  });

  describe("ackWhen 'consumed' (the embedded mode: the outbox marks a row sent after its effects)", () => {
    let acked: InProcessEventBus;
    beforeEach(async () => {
      acked = new InProcessEventBus({
        logger: silentBusLogger,
        ackWhen: 'consumed',
        ackTimeoutMs: 500,
      });
      await acked.start();
    });
    afterEach(() => acked.close());

    it('resolves publish only once every consuming group has handled the messages', async () => {
      const done: string[] = [];
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      await acked.subscribe({
        groupId: 'slow',
        topics: [TOPICS.session],
        handler: async () => {
          await gate;
          done.push('slow');
        },
      });
      await acked.subscribe({
        groupId: 'fast',
        topics: [TOPICS.session],
        handler: async () => void done.push('fast'),
      });
      let resolved = false;
      const published = acked.publish(TOPICS.session, [event(1)]).then(() => (resolved = true));
      await sleep(50);
      expect({ resolved, done }).toEqual({ resolved: false, done: ['fast'] });
      release();
      await published;
      expect(done.sort()).toEqual(['fast', 'slow']);
    });

    it('resolves at once when no group consumes the topic', async () => {
      await expect(acked.publish(TOPICS.token, [event(1)])).resolves.toBeUndefined();
    });

    it('counts a dead-lettered message as consumed', async () => {
      await acked.subscribe({
        groupId: 'failing',
        topics: [TOPICS.session],
        maxAttempts: 2,
        retryBackoffMs: { initial: 1, max: 1 },
        handler: async () => {
          throw new Error('always');
        },
      });
      await expect(acked.publish(TOPICS.session, [event(1)])).resolves.toBeUndefined();
    });

    it('fails when the messages are not consumed in time, or the bus closes first', async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      await acked.subscribe({ groupId: 'stuck', topics: [TOPICS.session], handler: () => gate });
      await expect(acked.publish(TOPICS.session, [event(1)])).rejects.toThrow(
        /not consumed within 500 ms/,
      );
      const pending = acked.publish(TOPICS.session, [event(2)]);
      const closing = acked.close();
      await expect(pending).rejects.toBeInstanceOf(BusClosedError);
      release(); // close waits for the handler in flight
      await closing;
    });
  });

  it('holds deliveries of subscriptions made before start until start', async () => {
    const seen: number[] = [];
    await bus.subscribe({
      groupId: 'g',
      topics: [TOPICS.session],
      handler: async (e) => void seen.push(e.streamVersion),
    });
    await expect(bus.publish(TOPICS.session, [event(1)])).rejects.toBeInstanceOf(BusNotReadyError);
    await bus.start();
    await bus.publish(TOPICS.session, [event(1)]);
    await sleep(20);
    expect(seen).toEqual([1]);
  });

  it('keeps a bounded number of messages per partition; a new group reads what is retained', async () => {
    await bus.start();
    for (let v = 1; v <= 25; v++) await bus.publish(TOPICS.session, [event(v)]);
    const seen: number[] = [];
    await bus.subscribe({
      groupId: 'late',
      topics: [TOPICS.session],
      handler: async (e) => void seen.push(e.streamVersion),
    });
    await sleep(20);
    expect(seen.length).toBeGreaterThanOrEqual(10);
    expect(seen.length).toBeLessThanOrEqual(11);
    expect(seen.at(-1)).toBe(25);
  });

  it('places a key by a stable hash', () => {
    expect(partitionFor('session-abc', 3)).toBe(partitionFor('session-abc', 3));
    const spread = new Set(Array.from({ length: 50 }, (_, i) => partitionFor(`grant-${i}`, 3)));
    expect(spread).toEqual(new Set([0, 1, 2]));
  });
});
