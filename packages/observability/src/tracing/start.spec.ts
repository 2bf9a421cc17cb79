import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { startTracing, tracingConfigured } from './start';

describe('tracingConfigured', () => {
  it.each([
    [{}, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: '' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, true],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }, true],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'TRUE' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'false' }, true],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' }, false],
    [{ OTEL_TRACES_SAMPLER: 'always_on' }, false],
  ])('%j -> %s', (env, on) => {
    expect(tracingConfigured(env)).toBe(on);
  });
});

describe('tracing off', () => {
  it('loads no OpenTelemetry SDK module and makes every span call a plain call', async () => {
    const loaded: string[] = [];
    for (const name of [
      '@opentelemetry/sdk-trace-base',
      '@opentelemetry/exporter-trace-otlp-http',
      '@opentelemetry/exporter-trace-otlp-proto',
      '@opentelemetry/exporter-trace-otlp-grpc',
      '@opentelemetry/context-async-hooks',
      '@opentelemetry/api',
    ]) {
      jest.doMock(name, () => {
        loaded.push(name);
        return jest.requireActual(name);
      });
    }
    let api!: typeof import('./index');
    let contexts!: typeof import('../context/request-context');
    jest.isolateModules(() => {
      /* eslint-disable @typescript-eslint/no-require-imports */
      api = require('./index') as typeof import('./index');
      contexts =
        require('../context/request-context') as typeof import('../context/request-context');
      /* eslint-enable @typescript-eslint/no-require-imports */
    });
    const { currentContext, newContext, runWithContext } = contexts;
    expect(await api.startTracing('off', { env: {} })).toBeUndefined();
    expect(
      await api.startTracing('off', {
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1', OTEL_SDK_DISABLED: 'true' },
      }),
    ).toBeUndefined();
    expect(api.tracingEnabled()).toBe(false);

    const context = newContext();
    const seen = runWithContext(context, () =>
      api.withSpan('nothing', { kind: 'server' }, (span) => ({ span, inside: currentContext() })),
    );
    // Same context object: nothing copied, no span.
    expect(seen).toEqual({ span: undefined, inside: context });
    expect(api.startSpan('nothing')).toBeUndefined();
    expect(api.currentSpanId()).toBeUndefined();
    expect(
      api.spanFromTraceparent('x', { traceparent: context.traceparent }, {}, context, () =>
        currentContext(),
      ),
    ).toBe(context);
    expect(loaded).toEqual([]);
  });
});

describe('flush at SIGTERM', () => {
  it('listens only while tracing runs', async () => {
    const before = process.listenerCount('SIGTERM');
    const tracing = await startTracing('signals', { exporter: new InMemorySpanExporter() });
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
    await tracing?.shutdown();
    expect(process.listenerCount('SIGTERM')).toBe(before);
  });
});
