import { context, diag, DiagLogLevel, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { rootLogger } from '../logging/logger';
import { otelBackend } from './otel-backend';
import { installTracerBackend } from './spans';

export interface TracingSdk {
  /** Exports every ended span still queued. */
  flush(): Promise<void>;
  /** Stops starting spans, exports what is queued and releases the globals. Idempotent. */
  shutdown(): Promise<void>;
}

/**
 * Only loaded when tracing is on (see `startTracing`). The SDK reads the
 * standard variables itself: the sampler (OTEL_TRACES_SAMPLER/_ARG), the
 * batch processor (OTEL_BSP_*) and the resource
 * (OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, which win over the
 * app's own name).
 */
export function startSdk(serviceName: string, exporter: SpanExporter): TracingSdk {
  // The SDK reports export failures through diag; without a logger they vanish. Looked up
  // per line: runService configures the process-wide logger after tracing has started.
  diag.setLogger(
    {
      error: (message) => rootLogger().warn({ log: 'tracing' }, message),
      warn: (message) => rootLogger().warn({ log: 'tracing' }, message),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    DiagLogLevel.WARN,
  );
  const resource = defaultResource()
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }))
    .merge(detectResources({ detectors: [envDetector] }));
  const provider = new BasicTracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  installTracerBackend(otelBackend(provider.getTracer('@idp/observability')));

  let stopped: Promise<void> | undefined;
  return {
    flush: () => provider.forceFlush(),
    shutdown: () =>
      (stopped ??= (async () => {
        installTracerBackend(undefined);
        try {
          await provider.shutdown();
        } finally {
          trace.disable();
          context.disable();
          propagation.disable();
          diag.disable();
        }
      })()),
  };
}
