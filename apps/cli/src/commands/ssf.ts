import type { SsfDeliveryView } from '@idp/contracts';
import { deadLetterCommands } from './dead-letters';

/** Shared Signals SET deliveries that ran out of attempts (ADR 0035, 0036). */
export const [listSsfDeadLetters, retrySsfDeadLetter] = deadLetterCommands<SsfDeliveryView>({
  group: ['ssf', 'dead-letters'],
  route: ['ssf', 'dead-letters'],
  listSummary: 'List Shared Signals SET deliveries that ran out of attempts (admin API).',
  retrySummary: 'Put a dead-lettered SET delivery back in the queue (admin API).',
  key: (d) => [d.streamId, d.jti],
  idName: '<stream_id>/<jti>',
  afterParams: ['after_stream_id', 'after_jti'],
  columns: ['RECEIVER', 'EVENT', 'ATTEMPTS', 'UPDATED', 'LAST ERROR'],
  row: (d) => [
    d.clientId,
    d.eventType,
    String(d.attempts),
    new Date(d.updatedAt).toISOString(),
    d.lastError ?? '',
  ],
  listDescription: `GET /admin/ssf/dead-letters, every page. The ID column (<stream_id>/<jti>,
each part URL-encoded) is what 'retry' takes. The SET itself is never
shown.`,
  retryDescription: `<id> is the ID column of 'ssf dead-letters list' (<stream_id>/<jti>). The
delivery is due at once with its attempts reset; it sends the SET again with
the same jti. Fails when there is no such delivery (404) or it is not
dead-lettered (409).`,
});
