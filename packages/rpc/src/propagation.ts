import {
  currentContext,
  extractFrom,
  injectInto,
  REQUEST_ID_HEADER,
  TRACEPARENT_HEADER,
  TRACESTATE_HEADER,
  type RequestContext,
} from '@idp/observability';

/** The metadata keys that carry the request context between services. */
export const CONTEXT_METADATA = [REQUEST_ID_HEADER, TRACEPARENT_HEADER, TRACESTATE_HEADER] as const;

/** What a call carries from the caller's request context: request id and trace context. */
export function outgoingContext(): Record<string, string> {
  return injectInto({});
}

/** The id a call is logged under: the caller's, else the request id of the current context. */
export function callCorrelationId(explicit: string | undefined): string | undefined {
  return explicit ?? currentContext()?.requestId;
}

/**
 * The context a handler runs in: the caller's request id and trace context
 * (validated like any incoming header), or, from a caller that sent none,
 * its correlation id as the request id. A new object per call, so what a
 * handler records (its client) never leaks into the caller's context.
 */
export function incomingContext(
  carrier: Readonly<Record<string, string | undefined>>,
  correlationId: string,
): RequestContext {
  return extractFrom({
    ...carrier,
    [REQUEST_ID_HEADER]: carrier[REQUEST_ID_HEADER] ?? correlationId,
  });
}
