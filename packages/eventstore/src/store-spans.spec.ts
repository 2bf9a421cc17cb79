import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { EventEnvelope } from '@idp/contracts';
import { startTracing, type Tracing } from '@idp/observability';
import type { OutboxEntry } from './outbox.port';
import { appendSpan, publishSpan, streamKind } from './store-spans';

const T1 = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const T2 = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const entry = (traceparent: string | undefined): OutboxEntry =>
  ({
    position: '1',
    topic: 'idp.internal.token.events',
    key: 'grant-1',
    event: { type: 'grant.issued', ...(traceparent === undefined ? {} : { traceparent }) },
  }) as unknown as OutboxEntry;

describe('event store spans', () => {
  it('names the aggregate of a stream, never its id', () => {
    expect(streamKind('grant-0190c1d2')).toBe('grant');
    expect(streamKind('username-YWxpY2U')).toBe('username');
    expect(streamKind('login-throttle-abc')).toBe('loginThrottle');
    expect(streamKind('somethingelse')).toBe('other');
  });

  it('costs nothing when tracing is off', async () => {
    await expect(appendSpan('sqlite', 'grant-1', [], () => Promise.resolve(7))).resolves.toBe(7);
    await expect(publishSpan('t', [entry(T1)], () => Promise.resolve('ok'))).resolves.toBe('ok');
  });

  describe('on', () => {
    let exporter: InMemorySpanExporter;
    let tracing: Tracing;
    beforeEach(async () => {
      exporter = new InMemorySpanExporter();
      tracing = (await startTracing('store', { exporter, flushOnSignals: false }))!;
    });
    afterEach(() => tracing.shutdown());
    const spans = async (): Promise<ReadableSpan[]> => {
      await tracing.flush();
      return exporter.getFinishedSpans();
    };

    it('records an append by aggregate, event count and types', async () => {
      const events = [{ type: 'grant.issued' }, { type: 'grant.issued' }] as EventEnvelope[];
      await appendSpan('postgres', 'username-YWxpY2U', events, () => Promise.resolve());
      const [span] = await spans();
      expect(span?.name).toBe('append username');
      expect(span?.attributes).toEqual({
        'db.system.name': 'postgresql',
        'db.operation.name': 'append',
        'idp.stream.kind': 'username',
        'idp.event.count': 2,
        'idp.event.types': 'grant.issued',
      });
      expect(JSON.stringify(span?.attributes)).not.toContain('YWxpY2U');
    });

    it('parents a publish on the one trace its rows came from', async () => {
      await publishSpan('idp.internal.token.events', [entry(T1), entry(T1)], () =>
        Promise.resolve(),
      );
      const [span] = await spans();
      expect(span?.name).toBe('send idp.internal.token.events');
      expect(span?.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
      expect(span?.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
      expect(span?.attributes['messaging.batch.message_count']).toBe(2);
    });

    it('links a publish of rows from several traces to each, in a trace of its own', async () => {
      await publishSpan('t', [entry(T1), entry(T2), entry(undefined)], () => Promise.resolve());
      const [span] = await spans();
      expect(span?.parentSpanContext).toBeUndefined();
      expect(span?.links.map((l) => l.context.traceId).sort()).toEqual([
        '0af7651916cd43dd8448eb211c80319c',
        '4bf92f3577b34da6a3ce929d0e0e4736',
      ]);
    });

    it('marks a failed publish and passes its error on', async () => {
      const down = new Error('broker down');
      await expect(publishSpan('t', [entry(T1)], () => Promise.reject(down))).rejects.toBe(down);
      const [span] = await spans();
      expect(span?.attributes['error.type']).toBe('Error');
    });
  });
});
