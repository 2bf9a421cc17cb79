import {
  context as otelContext,
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { parseTraceparent } from '../context/trace-context';
import type {
  SpanAttributes,
  SpanAttributeValue,
  SpanKindName,
  SpanOptions,
  TraceSpan,
  TracerBackend,
} from './span-types';

const KINDS: Record<SpanKindName, SpanKind> = {
  internal: SpanKind.INTERNAL,
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
  producer: SpanKind.PRODUCER,
  consumer: SpanKind.CONSUMER,
};

const propagator = new W3CTraceContextPropagator();

function remoteContext(traceparent: string, tracestate?: string): Context {
  const carrier: Record<string, string> = { traceparent };
  if (tracestate !== undefined) carrier['tracestate'] = tracestate;
  return propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
}

function definedAttributes(attributes: SpanAttributes | undefined): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(attributes ?? {})) {
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function linksTo(traceparents: SpanOptions['links']): Link[] {
  const links: Link[] = [];
  for (const traceparent of traceparents ?? []) {
    if (parseTraceparent(traceparent) === undefined) continue;
    const linked = trace.getSpanContext(remoteContext(traceparent as string));
    if (linked !== undefined) links.push({ context: linked });
  }
  return links;
}

/**
 * What an error is, without what it says: a type given as is (a status
 * code, an OAuth error code), an error's OAuth code, else its class name.
 */
export function errorType(error: unknown): string {
  if (typeof error === 'string' && /^[A-Za-z0-9_.]{1,64}$/.test(error)) return error;
  const code = (error as { error?: unknown } | null)?.error;
  if (typeof code === 'string' && /^[a-z_]{1,64}$/.test(code)) return code;
  if (error instanceof Error && /^[A-Za-z0-9_]{1,64}$/.test(error.name)) return error.name;
  return 'Error';
}

class OtelSpan implements TraceSpan {
  readonly traceparent: string;
  readonly tracestate?: string;
  readonly traceId: string;
  readonly spanId: string;

  constructor(readonly span: Span) {
    const carrier: Record<string, string> = {};
    propagator.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, defaultTextMapSetter);
    const { traceId, spanId, traceFlags } = span.spanContext();
    this.traceId = traceId;
    this.spanId = spanId;
    // inject writes nothing for an invalid context; name it ourselves then.
    this.traceparent =
      carrier['traceparent'] ?? `00-${traceId}-${spanId}-0${(traceFlags & 1).toString()}`;
    if (carrier['tracestate'] !== undefined) this.tracestate = carrier['tracestate'];
  }

  setAttribute(key: string, value: SpanAttributeValue | undefined): void {
    if (value !== undefined) this.span.setAttribute(key, value);
  }

  updateName(name: string): void {
    this.span.updateName(name);
  }

  fail(error: unknown): void {
    const type = errorType(error);
    this.span.setAttribute('error.type', type);
    this.span.setStatus({ code: SpanStatusCode.ERROR, message: type });
  }

  end(): void {
    this.span.end();
  }
}

/** The backend over an OpenTelemetry tracer, with the global context manager as the active-span store. */
export function otelBackend(tracer: Tracer): TracerBackend {
  return {
    start(name, options, parent) {
      const parentContext =
        parent === 'root'
          ? ROOT_CONTEXT
          : parent === undefined
            ? otelContext.active()
            : remoteContext(parent.traceparent, parent.tracestate);
      const span = tracer.startSpan(
        name,
        {
          kind: KINDS[options.kind ?? 'internal'],
          attributes: definedAttributes(options.attributes),
          links: linksTo(options.links),
          ...(parent === 'root' ? { root: true } : {}),
        },
        parentContext,
      );
      return new OtelSpan(span);
    },
    runActive(span, fn) {
      const inner = (span as OtelSpan).span;
      return otelContext.with(trace.setSpan(otelContext.active(), inner), fn);
    },
  };
}
