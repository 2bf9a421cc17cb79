import { freshEventMeta, SessionStarted } from '@idp/contracts';
import type { KafkaMessage } from 'kafkajs';
import { encodeAll } from './codec';
import { deliverEvent } from './delivery';
import type { DeliveryContext } from './event-bus.port';
import { toRecord } from './kafka/to-record';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const envelope = (meta: { traceparent?: string }) => ({
  ...SessionStarted.create(
    { sid: 's1', sub: 'u', authTime: 1, idleExpiresAt: 2, absoluteExpiresAt: 3 },
    freshEventMeta('logout-req-1', meta),
  ),
  stream: 'session-s1',
  streamVersion: 1,
});

describe('request context in message headers', () => {
  it('puts the correlation id and traceparent of the event in its headers', () => {
    const [encoded] = encodeAll([
      { key: 'session-s1', value: envelope({ traceparent: TRACEPARENT }) },
    ]);
    expect(encoded!.headers).toMatchObject({
      'x-request-id': 'logout-req-1',
      traceparent: TRACEPARENT,
    });
  });

  it('sends no traceparent header for an event without one (older events)', () => {
    const [encoded] = encodeAll([{ key: 'session-s1', value: envelope({}) }]);
    expect(encoded!.headers).not.toHaveProperty('traceparent');
    expect(encoded!.headers['x-request-id']).toBe('logout-req-1');
  });

  it('hands the Kafka headers of a message to the handler', async () => {
    const [encoded] = encodeAll([
      { key: 'session-s1', value: envelope({ traceparent: TRACEPARENT }) },
    ]);
    const message = {
      key: Buffer.from(encoded!.key),
      value: Buffer.from(encoded!.value),
      offset: '7',
      headers: Object.fromEntries(
        Object.entries(encoded!.headers).map(([k, v]) => [k, Buffer.from(v)]),
      ),
    } as unknown as KafkaMessage;
    let seen: DeliveryContext | undefined;
    await deliverEvent(
      toRecord('idp.internal.session.events', 0, message),
      async (_event, ctx) => {
        seen = ctx;
      },
      { maxAttempts: 1, backoff: { initial: 1, max: 1 } },
      new AbortController().signal,
    );
    expect(seen?.headers).toMatchObject({
      'x-request-id': 'logout-req-1',
      traceparent: TRACEPARENT,
    });
  });
});
