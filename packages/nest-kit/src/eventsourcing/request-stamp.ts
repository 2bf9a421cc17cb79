import type { PendingEvent } from '@idp/contracts';
import { currentContext } from '@idp/observability';

/**
 * Events decided inside a request context (an HTTP request, the RPC it
 * made, the handling of an event it caused) carry that request's id as
 * their correlation id and its traceparent, so one id ties the request to
 * every event and consumer it led to. Outside a context (startup, a CLI,
 * a timer) events keep what their command gave them.
 */
export function stampRequest<E extends PendingEvent>(events: readonly E[]): readonly E[] {
  const context = currentContext();
  if (context === undefined || events.length === 0) return events;
  return events.map((e) => ({
    ...e,
    correlationId: context.requestId,
    traceparent: context.traceparent,
  }));
}
