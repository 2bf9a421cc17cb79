import type { PendingEvent } from '@idp/contracts';

/** What events take from the request they were decided in (observability's `RequestContext` fits). */
export interface RequestStamp {
  readonly requestId: string;
  readonly traceparent: string;
}

/**
 * Events decided inside a request context (an HTTP request, the RPC it
 * made, the handling of an event it caused) carry that request's id as
 * their correlation id and its traceparent, so one id ties the request to
 * every event and consumer it led to. Outside a context (startup, a CLI,
 * a timer) events keep what their command gave them. The context comes from
 * the caller (`CommandRunnerOptions.requestContext`), so this package needs
 * no tracing library.
 */
export function stampRequest<E extends PendingEvent>(
  events: readonly E[],
  context: RequestStamp | undefined,
): readonly E[] {
  if (context === undefined || events.length === 0) return events;
  return events.map((e) => ({
    ...e,
    correlationId: context.requestId,
    traceparent: context.traceparent,
  }));
}
