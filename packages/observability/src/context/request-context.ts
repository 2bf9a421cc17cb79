import { AsyncLocalStorage } from 'node:async_hooks';
import { requestIdOr } from './request-id';
import { newTraceparent, parseTraceparent, validTracestate } from './trace-context';

/**
 * What one unit of work (an HTTP request, an RPC, the handling of one event,
 * a back-channel delivery) carries across async calls and process hops: the
 * request id that ties its log lines together and the W3C trace context.
 * Tracer-agnostic on purpose: a tracer can start spans from `traceparent`
 * and put its own back through `runWithContext`.
 */
export interface RequestContext {
  readonly requestId: string;
  /** A valid W3C traceparent (version 00). */
  readonly traceparent: string;
  /** The trace id part of `traceparent`, for log lines. */
  readonly traceId: string;
  readonly tracestate?: string;
  /**
   * The client the request is for, once identified (set by `setClientId`,
   * read by the access log). Mutable: it is learnt halfway through.
   */
  clientId?: string | undefined;
}

/** Header / metadata names, lowercase as HTTP/2, gRPC and Kafka carry them. */
export const REQUEST_ID_HEADER = 'x-request-id';
export const TRACEPARENT_HEADER = 'traceparent';
export const TRACESTATE_HEADER = 'tracestate';

export type Carrier = Readonly<Record<string, string | readonly string[] | undefined>>;

const storage = new AsyncLocalStorage<RequestContext>();

export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}

export function runWithContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

/**
 * A context from possibly untrusted parts: each part is validated and
 * replaced when missing or invalid (a bad traceparent starts a new trace and
 * drops its tracestate).
 */
export function newContext(
  parts: {
    readonly requestId?: unknown;
    readonly traceparent?: unknown;
    readonly tracestate?: unknown;
  } = {},
): RequestContext {
  const parsed = parseTraceparent(parts.traceparent);
  const traceparent = parsed ? (parts.traceparent as string) : newTraceparent();
  const tracestate = parsed ? validTracestate(parts.tracestate) : undefined;
  return {
    requestId: requestIdOr(parts.requestId),
    traceparent,
    traceId: traceparent.slice(3, 35),
    ...(tracestate === undefined ? {} : { tracestate }),
  };
}

function first(value: string | readonly string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : value?.[0];
}

/** The context a carrier (HTTP headers, gRPC metadata, Kafka headers) names; see `newContext`. */
export function extractFrom(carrier: Carrier): RequestContext {
  return newContext({
    requestId: first(carrier[REQUEST_ID_HEADER]),
    traceparent: first(carrier[TRACEPARENT_HEADER]),
    tracestate: first(carrier[TRACESTATE_HEADER]),
  });
}

/** Writes the current context (or the given one) into an outgoing carrier; no-op without one. */
export function injectInto(
  carrier: Record<string, string>,
  context: RequestContext | undefined = currentContext(),
): Record<string, string> {
  if (context === undefined) return carrier;
  carrier[REQUEST_ID_HEADER] = context.requestId;
  carrier[TRACEPARENT_HEADER] = context.traceparent;
  if (context.tracestate !== undefined) carrier[TRACESTATE_HEADER] = context.tracestate;
  return carrier;
}

/** Records which client the current request is for (cheap: one property write). */
export function setClientId(clientId: string): void {
  const context = storage.getStore();
  if (context !== undefined) context.clientId = clientId;
}
