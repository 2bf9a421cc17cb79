import { setTimeout as sleep } from 'node:timers/promises';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { uuidv7 } from '@idp/contracts';
import { sampleEvent } from '@idp/testing';
import { BusNotReadyError } from './errors';
import type { KafkaEventBus } from './kafka.event-bus';
import { deleteTopics, memoryLogger, rawKafka, testBus } from './kafka.test-support';

const run = promisify(execFile);
const REPO = resolve(__dirname, '../../..');
const broker = (cmd: 'start' | 'stop') =>
  run('bash', ['scripts/infra/kafka.sh', cmd], { cwd: REPO, timeout: 120_000 });

async function waitFor(
  what: string,
  cond: () => boolean,
  logs: string[],
  ms = 90_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; bus log:\n${logs.slice(-15).join('\n')}`);
    await sleep(50);
  }
}

const KEY = 'session-fault';
const event = (v: number) => [{ key: KEY, value: sampleEvent(KEY, v) }];

describe('KafkaEventBus under broker outages (stops and starts the real broker)', () => {
  const buses: KafkaEventBus[] = [];
  const topics: string[] = [];

  afterAll(async () => {
    // Whatever happened, leave the shared broker running for everyone else.
    await broker('start');
    await Promise.all(buses.map((b) => b.close()));
    await deleteTopics(rawKafka(), topics);
  }, 180_000);

  it('starts while the broker is down, reports not ready, then connects and consumes once it is up', async () => {
    const topic = `test.${uuidv7()}.token`;
    topics.push(topic);
    const logger = memoryLogger();
    await broker('stop');

    const bus = testBus([topic], { logger });
    buses.push(bus);
    const t0 = Date.now();
    await expect(bus.start()).resolves.toBeUndefined();
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(bus.ready()).toBe(false);
    const t1 = Date.now();
    await expect(bus.publish(topic, event(1))).rejects.toBeInstanceOf(BusNotReadyError);
    expect(Date.now() - t1).toBeLessThan(100);

    const seen: number[] = [];
    await bus.subscribe({
      groupId: `g-${uuidv7()}`,
      topics: [topic],
      handler: async (e) => void seen.push(e.streamVersion),
    });

    await broker('start');
    await waitFor('ready()', () => bus.ready(), logger.lines);
    await bus.publish(topic, event(1));
    await waitFor('the event published after connecting', () => seen.includes(1), logger.lines);
    expect(seen).toEqual([1]);
  }, 180_000);

  it('recovers from a broker restart mid-run: publishing resumes and no acknowledged event is lost', async () => {
    const topic = `test.${uuidv7()}.token`;
    topics.push(topic);
    const logger = memoryLogger();
    await broker('start');
    const bus = testBus([topic], { logger });
    buses.push(bus);
    await bus.start();
    expect(bus.ready()).toBe(true);
    const seen: number[] = [];
    await bus.subscribe({
      groupId: `g-${uuidv7()}`,
      topics: [topic],
      handler: async (e) => void seen.push(e.streamVersion),
    });

    // An outbox relay in miniature: one event at a time, retried until publish resolves.
    const acked: number[] = [];
    let rejected = 0;
    let stop = false;
    const relay = (async () => {
      for (let v = 1; !stop;) {
        try {
          await bus.publish(topic, event(v));
          acked.push(v++);
        } catch {
          rejected++;
        }
        await sleep(50);
      }
    })();

    await waitFor('events before the outage', () => seen.length >= 5, logger.lines);
    await broker('stop');
    await waitFor('ready() to turn false', () => !bus.ready(), logger.lines, 30_000);
    const ackedDuringOutage = acked.length;
    await sleep(1_000);
    expect(acked.length - ackedDuringOutage).toBe(0);
    expect(rejected).toBeGreaterThan(0);

    await broker('start');
    await waitFor('ready() again', () => bus.ready(), logger.lines);
    await waitFor(
      '5 more acknowledged events',
      () => acked.length >= ackedDuringOutage + 5,
      logger.lines,
    );
    stop = true;
    await relay;
    const last = acked.at(-1) ?? 0;
    await waitFor('every acknowledged event consumed', () => seen.includes(last), logger.lines);

    // At-least-once: duplicates are allowed, gaps and reordering are not.
    const firstSeen = [...new Set(seen)];
    expect(firstSeen.slice(0, acked.length)).toEqual(acked);
  }, 240_000);
});
