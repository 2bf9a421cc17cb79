import type { DomainEvent } from '@idp/contracts';
import {
  extractFrom,
  REQUEST_ID_HEADER,
  TRACEPARENT_HEADER,
  type RequestContext,
} from '@idp/observability';

/**
 * The context a consumer handles an event in: the one its message headers
 * carry (`x-request-id`, `traceparent`), else the envelope's own correlation
 * id and traceparent (a message published before the headers existed).
 * Validated like any incoming header; a new id when none is usable.
 */
export function eventContext(
  event: DomainEvent,
  headers: Readonly<Record<string, string>> | undefined,
): RequestContext {
  return extractFrom({
    [REQUEST_ID_HEADER]: event.correlationId,
    ...(event.traceparent === undefined ? {} : { [TRACEPARENT_HEADER]: event.traceparent }),
    ...headers,
  });
}
