import type { BackchannelDeliveryView } from '@idp/contracts';
import { deadLetterCommands, pairId, parsePairId } from './dead-letters';

/** A back-channel logout delivery's id: `<sid>/<client_id>`, each part URL-encoded. */
export const deliveryId = (d: { sid: string; clientId: string }) => pairId(d.sid, d.clientId);

export function parseDeliveryId(id: string): { sid: string; clientId: string } | undefined {
  const pair = parsePairId(id);
  return pair && { sid: pair[0], clientId: pair[1] };
}

export const [listDeadLetters, retryDeadLetter] = deadLetterCommands<BackchannelDeliveryView>({
  group: ['backchannel', 'dead-letters'],
  route: ['backchannel', 'dead-letters'],
  listSummary: 'List back-channel logout deliveries that ran out of attempts (admin API).',
  retrySummary: 'Put a dead-lettered delivery back in the queue (admin API).',
  key: (d) => [d.sid, d.clientId],
  idName: '<sid>/<client_id>',
  afterParams: ['after_sid', 'after_client_id'],
  columns: ['SUB', 'URI', 'ATTEMPTS', 'UPDATED', 'LAST ERROR'],
  row: (d) => [
    d.sub,
    d.uri,
    String(d.attempts),
    new Date(d.updatedAt).toISOString(),
    d.lastError ?? '',
  ],
  listDescription: `GET /admin/backchannel/dead-letters, every page. The ID column (<sid>/<client_id>,
each part URL-encoded) is what 'retry' takes. The logout token itself is
never shown.`,
  retryDescription: `<id> is the ID column of 'dead-letters list' (<sid>/<client_id>). The delivery
is due at once with its attempts reset; it resends a logout token with the
same jti. Fails when there is no such delivery (404) or it is not
dead-lettered (409).`,
});
