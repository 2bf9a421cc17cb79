import { setTimeout as sleep } from 'node:timers/promises';
import { eventBusContract, sampleEvent } from '@idp/testing';
import { deadLetterTopic, uuidv7 } from '@idp/contracts';
import { DLQ_HEADERS } from './dead-letter';
import { deleteTopics, rawKafka, rawProducer, testBus } from './kafka.test-support';

eventBusContract(
  'kafka',
  async (topics) => {
    const bus = testBus(topics);
    const kafka = rawKafka();
    const producer = rawProducer(kafka);
    await producer.connect();
    return {
      bus,
      publishRaw: async (topic, key, value) =>
        void (await producer.send({ topic, messages: [{ key, value }] })),
      cleanup: async () => {
        await producer.disconnect();
        await deleteTopics(kafka, topics);
      },
    };
  },
  { timeoutMs: 15_000, quietMs: 600 },
);

describe('KafkaEventBus on a real broker', () => {
  const kafka = rawKafka();
  const topics: string[] = [];
  /** A topic per test: a fresh group reads from the beginning, so shared topics would leak messages. */
  const freshTopic = () => {
    const topic = `test.${uuidv7()}.token`;
    topics.push(topic);
    return topic;
  };
  afterAll(() => deleteTopics(kafka, topics));

  it('creates each topic and its .dlq at start, idempotently, with the configured partitions', async () => {
    const topic = freshTopic();
    const first = testBus([topic]);
    const second = testBus([topic]);
    try {
      await first.start();
      await second.start();
      expect(first.ready() && second.ready()).toBe(true);
      const admin = kafka.admin();
      await admin.connect();
      const { topics } = await admin.fetchTopicMetadata({
        topics: [topic, deadLetterTopic(topic)],
      });
      await admin.disconnect();
      expect(topics.map((t) => [t.name, t.partitions.length]).sort()).toEqual([
        [topic, 3],
        [deadLetterTopic(topic), 1],
      ]);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  }, 30_000);

  it('keeps a member in its group while a handler runs longer than the session timeout', async () => {
    const topic = freshTopic();
    const bus = testBus([topic]);
    try {
      await bus.start();
      const seen: number[] = [];
      await bus.subscribe({
        groupId: `g-${uuidv7()}`,
        topics: [topic],
        handler: async (e) => {
          seen.push(e.streamVersion);
          // Longer than FAST_CONSUMER.sessionTimeout: only the in-handler heartbeats keep us in.
          if (e.streamVersion === 1) await sleep(7_000);
        },
      });
      const key = 'session-long';
      await bus.publish(
        topic,
        [1, 2].map((v) => ({ key, value: sampleEvent(key, v) })),
      );
      const deadline = Date.now() + 20_000;
      while (!seen.includes(2) && Date.now() < deadline) await sleep(50);
      await sleep(1_000);
      // A member evicted mid-handler would fail its commit, rejoin and see version 1 again.
      expect(seen).toEqual([1, 2]);
    } finally {
      await bus.close();
    }
  }, 40_000);

  it('writes dead letters with the original bytes and where/why in headers', async () => {
    const topic = freshTopic();
    const bus = testBus([topic]);
    const consumer = kafka.consumer({
      groupId: `raw-${uuidv7()}`,
      sessionTimeout: 6_000,
      heartbeatInterval: 300,
      maxWaitTimeInMs: 100,
    });
    try {
      await bus.start();
      const event = sampleEvent('session-wire', 1);
      await bus.subscribe({
        groupId: `g-${uuidv7()}`,
        topics: [topic],
        handler: async () => Promise.reject(new Error('always fails')),
        maxAttempts: 2,
        retryBackoffMs: { initial: 10, max: 10 },
      });
      await bus.publish(topic, [{ key: 'session-wire', value: event }]);
      await consumer.connect();
      await consumer.subscribe({ topics: [deadLetterTopic(topic)], fromBeginning: true });
      const letter = await new Promise<{
        key?: string | undefined;
        value?: string | undefined;
        headers: Record<string, string>;
      }>((resolve) => {
        void consumer.run({
          eachMessage: async ({ message }) => {
            const headers = Object.fromEntries(
              Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
            );
            resolve({ key: message.key?.toString(), value: message.value?.toString(), headers });
          },
        });
      });
      expect(letter.key).toBe('session-wire');
      expect(JSON.parse(letter.value ?? '')).toEqual(event);
      expect(letter.headers).toMatchObject({
        [DLQ_HEADERS.topic]: topic,
        [DLQ_HEADERS.partition]: expect.stringMatching(/^[0-2]$/),
        [DLQ_HEADERS.offset]: '0',
        [DLQ_HEADERS.error]: 'Error: always fails',
        [DLQ_HEADERS.attempts]: '2',
      });
    } finally {
      await consumer.disconnect();
      await bus.close();
    }
  }, 30_000);
});
