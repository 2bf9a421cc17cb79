import { ATTR, runWithContext, spanFromTraceparent, tracingEnabled } from '@idp/observability';
import type { AttemptResult, Delivery } from './delivery';
import { deliveryContext } from './delivery-context';

/** Where the POST goes, without its path or query (a URI may carry anything). */
function target(uri: string): { address?: string; port?: number } {
  try {
    const url = new URL(uri);
    const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
    return { address: url.hostname, port };
  } catch {
    return {};
  }
}

/**
 * One attempt to POST a logout token, in the context of the logout that
 * scheduled it (as without tracing) and, when tracing is on, in a client
 * span whose parent is the span that scheduled the delivery (kept on the
 * row, so a retry hours later still joins the logout's trace). The POST's
 * own traceparent then names this span.
 */
export function postInSpan(
  delivery: Delivery,
  post: () => Promise<AttemptResult>,
): Promise<AttemptResult> {
  const context = deliveryContext(delivery);
  if (!tracingEnabled()) return runWithContext(context, post);
  const { address, port } = target(delivery.uri);
  return spanFromTraceparent(
    'POST backchannel-logout',
    { traceparent: delivery.traceparent },
    {
      kind: 'client',
      attributes: {
        [ATTR.httpRequestMethod]: 'POST',
        [ATTR.serverAddress]: address,
        [ATTR.serverPort]: port,
        'idp.client_id': delivery.clientId,
        'idp.delivery.attempt': delivery.attempts + 1,
      },
    },
    context,
    async (span) => {
      const result = await post();
      if (result.ok) span?.setAttribute(ATTR.httpResponseStatusCode, result.status);
      else span?.fail(result.permanent === true ? 'refused' : 'delivery_failed');
      return result;
    },
  );
}
