import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { currentContext, startTracing, type Tracing } from '@idp/observability';
import type { Delivery } from './delivery';
import { postInSpan } from './delivery-span';

const SCHEDULER = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const delivery = (over: Partial<Delivery> = {}): Delivery =>
  ({
    sid: 's-1',
    clientId: 'rp-a',
    uri: 'https://rp.example.test:8443/bcl?tenant=x',
    attempts: 2,
    requestId: 'logout-1',
    traceparent: SCHEDULER,
    ...over,
  }) as Delivery;

describe('back-channel POST spans', () => {
  it('off: the attempt runs in the delivery context, nothing else', async () => {
    const seen = await postInSpan(delivery(), () =>
      Promise.resolve({
        ok: true as const,
        status: currentContext()?.requestId === 'logout-1' ? 200 : 0,
      }),
    );
    expect(seen).toEqual({ ok: true, status: 200 });
  });

  describe('on', () => {
    let exporter: InMemorySpanExporter;
    let tracing: Tracing;
    beforeEach(async () => {
      exporter = new InMemorySpanExporter();
      tracing = (await startTracing('session-service', { exporter, flushOnSignals: false }))!;
    });
    afterEach(() => tracing.shutdown());
    const spans = async (): Promise<ReadableSpan[]> => {
      await tracing.flush();
      return exporter.getFinishedSpans();
    };

    it("is a client span under the scheduler's span, and the POST carries its own id", async () => {
      let sent: string | undefined;
      await postInSpan(delivery(), () => {
        sent = currentContext()?.traceparent;
        return Promise.resolve({ ok: true as const, status: 200 });
      });
      const [span] = await spans();
      expect(span?.name).toBe('POST backchannel-logout');
      expect(span?.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
      expect(sent).toBe(`00-4bf92f3577b34da6a3ce929d0e0e4736-${span?.spanContext().spanId}-01`);
      expect(span?.attributes).toEqual({
        'http.request.method': 'POST',
        'server.address': 'rp.example.test',
        'server.port': 8443,
        'idp.client_id': 'rp-a',
        'idp.delivery.attempt': 3,
        'http.response.status_code': 200,
      });
    });

    it('marks a failed attempt by kind, never by the error text', async () => {
      await postInSpan(delivery(), () =>
        Promise.resolve({ ok: false as const, error: 'status 503' }),
      );
      await postInSpan(delivery({ uri: 'not a url' }), () =>
        Promise.resolve({ ok: false as const, error: 'invalid', permanent: true }),
      );
      const [retry, refused] = await spans();
      expect(retry?.attributes['error.type']).toBe('delivery_failed');
      expect(refused?.attributes['error.type']).toBe('refused');
      expect(refused?.attributes['server.address']).toBeUndefined();
    });
  });
});
