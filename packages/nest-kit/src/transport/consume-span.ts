import type { DeliveryContext } from '@idp/bus';
import type { DomainEvent } from '@idp/contracts';
import {
  ATTR,
  runWithContext,
  spanFromTraceparent,
  TRACEPARENT_HEADER,
  TRACESTATE_HEADER,
  tracingEnabled,
  type RequestContext,
} from '@idp/observability';

/**
 * Runs one handler attempt in the event's request context (as without
 * tracing) and, when tracing is on, in a consumer span whose parent is the
 * span that caused the event: the message's `traceparent` header, else the
 * envelope's. One span per attempt, so retries show as siblings.
 */
export function consumeInSpan<T>(
  group: string,
  logicalTopic: string,
  event: DomainEvent,
  delivery: DeliveryContext,
  context: RequestContext,
  handle: () => T,
): T {
  if (!tracingEnabled()) return runWithContext(context, handle);
  const headers = delivery.headers ?? {};
  return spanFromTraceparent(
    `process ${logicalTopic}`,
    {
      traceparent: headers[TRACEPARENT_HEADER] ?? event.traceparent,
      tracestate: headers[TRACESTATE_HEADER],
    },
    {
      kind: 'consumer',
      attributes: {
        [ATTR.messagingOperationType]: 'process',
        [ATTR.messagingOperationName]: 'process',
        [ATTR.messagingDestinationName]: delivery.topic,
        [ATTR.messagingConsumerGroupName]: group,
        [ATTR.messagingPartitionId]: String(delivery.partition),
        [ATTR.messagingKafkaOffset]: Number(delivery.offset),
        [ATTR.messagingMessageId]: event.id,
        'idp.event.type': event.type,
        'idp.delivery.attempt': delivery.attempt,
      },
    },
    context,
    handle,
  );
}
