import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import {
  currentContext,
  newContext,
  runWithContext,
  startTracing,
  type Tracing,
} from '@idp/observability';
import type { Outcome } from './dispatcher';
import { incomingContext, outgoingContext } from './propagation';
import { rpcClientSpan, rpcServerSpan } from './rpc-spans';

const PATH = '/idp.token/token';
const refused: Outcome = { ok: false, error: { error: 'invalid_grant' } } as Outcome;

describe('rpc spans', () => {
  it('off: the call is made as is and the handler runs in the caller context', async () => {
    await expect(rpcClientSpan(PATH, () => Promise.resolve(outgoingContext()))).resolves.toEqual(
      {},
    );
    const context = incomingContext({}, 'corr-1');
    const seen = await rpcServerSpan(PATH, 'grpc', {}, context, () =>
      Promise.resolve({ ok: true, body: String(currentContext() === context) }),
    );
    expect(seen).toEqual({ ok: true, body: 'true' });
  });

  describe('on', () => {
    let exporter: InMemorySpanExporter;
    let tracing: Tracing;
    beforeEach(async () => {
      exporter = new InMemorySpanExporter();
      tracing = (await startTracing('rpc', { exporter, flushOnSignals: false }))!;
    });
    afterEach(() => tracing.shutdown());
    const spans = async (): Promise<ReadableSpan[]> => {
      await tracing.flush();
      return exporter.getFinishedSpans();
    };

    it("sends the client span as the server span's parent, and marks a refused call", async () => {
      const caller = newContext({
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      });
      await runWithContext(caller, () =>
        rpcClientSpan(PATH, async () => {
          const metadata = outgoingContext();
          return rpcServerSpan(PATH, 'grpc', metadata, incomingContext(metadata, 'c'), () =>
            Promise.resolve(refused),
          );
        }),
      );
      const all = await spans();
      const server = all.find((s) => s.kind === 1)!;
      const client = all.find((s) => s.kind === 2)!;
      expect(client.name).toBe('idp.token/token');
      expect(client.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
      expect(server.parentSpanContext?.spanId).toBe(client.spanContext().spanId);
      expect(server.attributes).toEqual({
        'rpc.method': 'idp.token/token',
        'rpc.system.name': 'grpc',
        'error.type': 'invalid_grant',
      });
    });
  });
});
