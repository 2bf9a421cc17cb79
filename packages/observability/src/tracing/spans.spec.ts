import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import {
  currentContext,
  injectInto,
  newContext,
  runWithContext,
  setClientId,
} from '../context/request-context';
import { parseTraceparent } from '../context/trace-context';
import { currentSpanId, spanFromTraceparent, startSpan, withSpan } from './spans';
import { startTracing, type Tracing } from './start';

const REMOTE = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('spans with tracing on (in-memory exporter)', () => {
  let exporter: InMemorySpanExporter;
  let tracing: Tracing;

  beforeEach(async () => {
    // A shut-down provider stops its exporter: a fresh one per test.
    exporter = new InMemorySpanExporter();
    tracing = (await startTracing('unit-test', { exporter, flushOnSignals: false }))!;
  });
  afterEach(() => tracing.shutdown());

  async function finished(): Promise<ReadableSpan[]> {
    await tracing.flush();
    return exporter.getFinishedSpans();
  }
  const named = (spans: ReadableSpan[], name: string) => spans.find((s) => s.name === name)!;

  it('nests a child under the current span, and hands the child on as the next parent', async () => {
    let carried: Record<string, string> = {};
    await runWithContext(newContext({ requestId: 'r-1' }), () =>
      withSpan('outer', { kind: 'server' }, () =>
        withSpan(
          'inner',
          { kind: 'client', attributes: { a: 1, skipped: undefined } },
          async () => {
            await new Promise((r) => setTimeout(r, 1));
            carried = injectInto({});
          },
        ),
      ),
    );
    const spans = await finished();
    const outer = named(spans, 'outer');
    const inner = named(spans, 'inner');
    expect(inner.spanContext().traceId).toBe(outer.spanContext().traceId);
    expect(inner.parentSpanContext?.spanId).toBe(outer.spanContext().spanId);
    expect(inner.kind).toBe(SpanKind.CLIENT);
    // The request context was made up (no incoming traceparent): the outer span starts the trace.
    expect(outer.parentSpanContext).toBeUndefined();
    expect(inner.attributes).toEqual({ a: 1 });
    expect(outer.resource.attributes['service.name']).toBe('unit-test');
    // What the next hop sees: the inner span as parent, the same request id.
    expect(carried).toEqual({
      'x-request-id': 'r-1',
      traceparent: `00-${inner.spanContext().traceId}-${inner.spanContext().spanId}-01`,
    });
  });

  it('continues a remote traceparent, and starts a new trace from an invalid one', async () => {
    const context = newContext({ traceparent: REMOTE });
    spanFromTraceparent('remote', { traceparent: REMOTE }, { kind: 'server' }, context, () => {
      expect(currentContext()?.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
      expect(currentContext()?.requestId).toBe(context.requestId);
    });
    spanFromTraceparent('fresh', { traceparent: 'junk' }, {}, newContext(), () => undefined);
    const spans = await finished();
    const remote = named(spans, 'remote');
    expect(remote.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(remote.parentSpanContext).toMatchObject({ spanId: '00f067aa0ba902b7', isRemote: true });
    const fresh = named(spans, 'fresh');
    expect(fresh.parentSpanContext).toBeUndefined();
    expect(fresh.spanContext().traceId).not.toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it('parents on the request context, which outranks a span started elsewhere', async () => {
    await withSpan('background', {}, () =>
      runWithContext(newContext({ traceparent: REMOTE }), () => withSpan('child', {}, () => 1)),
    );
    const child = named(await finished(), 'child');
    expect(child.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
  });

  it('shares the client id with the enclosing request, so the access log still sees it', () => {
    const context = newContext();
    runWithContext(context, () => withSpan('identify', {}, () => setClientId('rp-7')));
    expect(context.clientId).toBe('rp-7');
  });

  it('records a failure by its kind only, never its message', async () => {
    const secret = Object.assign(new Error('code=abc123 was refused'), { error: 'invalid_grant' });
    await expect(withSpan('fails', {}, () => Promise.reject(secret))).rejects.toBe(secret);
    expect(() =>
      withSpan('throws', {}, () => {
        throw new TypeError('token=xyz');
      }),
    ).toThrow(TypeError);
    withSpan('typed', {}, (span) => span?.fail('503'));
    withSpan('odd', {}, (span) => span?.fail('a message, not a type'));
    const spans = await finished();
    expect(named(spans, 'fails').status).toEqual({
      code: SpanStatusCode.ERROR,
      message: 'invalid_grant',
    });
    expect(named(spans, 'fails').attributes['error.type']).toBe('invalid_grant');
    expect(named(spans, 'throws').attributes['error.type']).toBe('TypeError');
    expect(named(spans, 'typed').attributes['error.type']).toBe('503');
    expect(named(spans, 'odd').attributes['error.type']).toBe('Error');
    expect(JSON.stringify(spans.map((s) => [s.attributes, s.status, s.events]))).not.toMatch(
      /abc123|xyz/,
    );
  });

  it('links to other traces and skips invalid links', async () => {
    withSpan('batch', { parent: null, links: [REMOTE, 'junk', undefined] }, () => undefined);
    const batch = named(await finished(), 'batch');
    expect(batch.links.map((l) => l.context.spanId)).toEqual(['00f067aa0ba902b7']);
    expect(batch.parentSpanContext).toBeUndefined();
  });

  it('names the current span in log fields only inside one of our spans', () => {
    runWithContext(newContext({ traceparent: REMOTE }), () => {
      expect(currentSpanId()).toBeUndefined();
      withSpan('logged', {}, (span) => expect(currentSpanId()).toBe(span?.spanId));
    });
  });

  it('lets the caller end a span it started (an HTTP response)', async () => {
    const span = startSpan('GET', { kind: 'server', parent: null })!;
    span.updateName('GET /token');
    span.setAttribute('http.response.status_code', 200);
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    span.end();
    expect(named(await finished(), 'GET /token').attributes).toEqual({
      'http.response.status_code': 200,
    });
  });
});

describe('sampling from OTEL_TRACES_SAMPLER', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('exports nothing under always_off, yet still propagates a (not sampled) context', async () => {
    process.env['OTEL_TRACES_SAMPLER'] = 'always_off';
    const exporter = new InMemorySpanExporter();
    const tracing = (await startTracing('sampled-out', { exporter, flushOnSignals: false }))!;
    try {
      let carried: string | undefined;
      runWithContext(newContext(), () =>
        withSpan('dropped', {}, () => {
          carried = currentContext()?.traceparent;
        }),
      );
      await tracing.flush();
      expect(exporter.getFinishedSpans()).toHaveLength(0);
      expect(parseTraceparent(carried)?.flags).toBe('00');
    } finally {
      await tracing.shutdown();
    }
  });

  it('lets OTEL_SERVICE_NAME override the app name', async () => {
    process.env['OTEL_SERVICE_NAME'] = 'renamed';
    const exporter = new InMemorySpanExporter();
    const tracing = (await startTracing('auth-api', { exporter, flushOnSignals: false }))!;
    try {
      withSpan('s', {}, () => undefined);
      await tracing.flush();
      expect(exporter.getFinishedSpans()[0]?.resource.attributes['service.name']).toBe('renamed');
    } finally {
      await tracing.shutdown();
    }
  });
});
