import { currentContext, runWithContext, type RequestContext } from '../context/request-context';
import { parseTraceparent, validTracestate } from '../context/trace-context';
import type { SpanOptions, TraceSpan, TracerBackend } from './span-types';

/**
 * The span API every seam calls. Until `startTracing` installs a backend
 * each function is one comparison and a direct call: no OpenTelemetry
 * module is loaded, no id is drawn, no context is copied.
 *
 * There is one trace context, the request context's `traceparent`: a span
 * is parented on it, and the code inside the span runs in a request context
 * whose `traceparent` names the span, so whatever propagates the request
 * context (gRPC metadata, event envelopes, Kafka headers, delivery rows)
 * hands this span on as the next hop's parent.
 */
let backend: TracerBackend | undefined;

/** Contexts whose traceparent names one of our spans (for `span_id` in log lines). */
const spanContexts = new WeakSet<RequestContext>();

/** Installed by `startTracing`, removed by its shutdown; tests install their own. */
export function installTracerBackend(next: TracerBackend | undefined): void {
  backend = next;
}

export function tracingEnabled(): boolean {
  return backend !== undefined;
}

function parentFor(options: SpanOptions): Parameters<TracerBackend['start']>[2] {
  const { parent } = options;
  if (parent === null) return 'root';
  if (parent !== undefined) {
    if (parseTraceparent(parent.traceparent) === undefined) return 'root';
    const tracestate = validTracestate(parent.tracestate);
    return {
      traceparent: parent.traceparent as string,
      ...(tracestate === undefined ? {} : { tracestate }),
    };
  }
  const context = currentContext();
  if (context === undefined) return undefined;
  // A context naming no span of ours and not sampled was, in all likelihood,
  // made up for lack of an incoming traceparent (entry points pass theirs as
  // `parent`): parenting on it would leave this span unsampled, unseen.
  if (!spanContexts.has(context) && context.traceparent.endsWith('-00')) return 'root';
  return {
    traceparent: context.traceparent,
    ...(context.tracestate === undefined ? {} : { tracestate: context.tracestate }),
  };
}

/** Starts a span the caller ends (an HTTP request ends when its response closes); undefined when off. */
export function startSpan(name: string, options: SpanOptions = {}): TraceSpan | undefined {
  return backend?.start(name, options, parentFor(options));
}

/**
 * `context` seen from inside `span`: the same request id, the span's
 * traceparent. The client id stays shared with `context`, so a client
 * identified inside the span still reaches the access log of the request.
 */
export function contextInSpan(context: RequestContext, span: TraceSpan): RequestContext {
  const inner = {
    requestId: context.requestId,
    traceparent: span.traceparent,
    traceId: span.traceId,
    ...(span.tracestate === undefined ? {} : { tracestate: span.tracestate }),
  } as RequestContext;
  Object.defineProperty(inner, 'clientId', {
    enumerable: true,
    get: () => context.clientId,
    set: (clientId: string | undefined) => {
      context.clientId = clientId;
    },
  });
  spanContexts.add(inner);
  return inner;
}

/**
 * Runs `fn` inside `span`: as the tracer's active span and, when a request
 * context is current (or given), in that context seen from the span.
 */
export function runInSpan<T>(
  span: TraceSpan | undefined,
  fn: () => T,
  context: RequestContext | undefined = currentContext(),
): T {
  const active = backend;
  if (span === undefined || active === undefined) {
    return context === undefined ? fn() : runWithContext(context, fn);
  }
  const run = () => active.runActive(span, fn);
  return context === undefined ? run() : runWithContext(contextInSpan(context, span), run);
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** Ends `span` once `run`'s result (a value or a promise) has settled, failed if it threw or rejected. */
function ending<T>(span: TraceSpan, run: () => T): T {
  let result: T;
  try {
    result = run();
  } catch (error) {
    span.fail(error);
    span.end();
    throw error;
  }
  if (!isPromiseLike(result)) {
    span.end();
    return result;
  }
  return result.then(
    (value) => {
      span.end();
      return value;
    },
    (error: unknown) => {
      span.fail(error);
      span.end();
      throw error;
    },
  ) as T;
}

/**
 * Runs `fn` in a new span (a child of the current one unless `options.parent`
 * says otherwise) and ends it when `fn` returns or its promise settles.
 * Off: calls `fn(undefined)` and nothing else.
 */
export function withSpan<T>(
  name: string,
  options: SpanOptions,
  fn: (span: TraceSpan | undefined) => T,
): T {
  const active = backend;
  if (active === undefined) return fn(undefined);
  const span = active.start(name, options, parentFor(options));
  return ending(span, () => runInSpan(span, () => fn(span)));
}

/**
 * The entry of a unit of work that arrived from elsewhere (an RPC, a
 * message, a delivery): runs `fn` in `context` and, when tracing is on, in a
 * span continuing `remote` (the traceparent the carrier held, not one the
 * context made up when it held none).
 */
export function spanFromTraceparent<T>(
  name: string,
  remote: { readonly traceparent?: unknown; readonly tracestate?: unknown },
  options: Omit<SpanOptions, 'parent'>,
  context: RequestContext,
  fn: (span: TraceSpan | undefined) => T,
): T {
  const active = backend;
  if (active === undefined) return runWithContext(context, () => fn(undefined));
  const span = active.start(name, options, parentFor({ parent: remote }));
  return ending(span, () => runInSpan(span, () => fn(span), context));
}

/** The span id of the current request context, when it names one of our spans. */
export function currentSpanId(): string | undefined {
  if (backend === undefined) return undefined;
  const context = currentContext();
  return context !== undefined && spanContexts.has(context)
    ? context.traceparent.slice(36, 52)
    : undefined;
}
