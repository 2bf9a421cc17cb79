import { newContext, type RequestContext } from '@idp/observability';
import type { Delivery } from './delivery';

/**
 * The context one delivery attempt runs in: the request id and traceparent
 * of the logout that scheduled it (kept on the row, so retries hours later
 * and after a restart still log under it), and the RP's client id. A row
 * from before they were kept gets a new id.
 */
export function deliveryContext(delivery: Delivery): RequestContext {
  const context = newContext({ requestId: delivery.requestId, traceparent: delivery.traceparent });
  context.clientId = delivery.clientId;
  return context;
}
