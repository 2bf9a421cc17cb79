import type { BackchannelDeliveryView } from '@idp/contracts';
import type { Command } from '../support/command';
import { ADMIN_OPTIONS, adminApiFrom } from '../support/admin-api';
import { println } from '../support/io';
import { renderTable } from '../support/table';

/** The admin API's page limit: list reads every page. */
const PAGE = 500;

/**
 * A delivery is identified by its session and its client; ids may hold any
 * character, so each part is percent-encoded and the two joined by the one
 * unencoded `/`: `retry` takes back exactly what `list` shows.
 */
export const deliveryId = (d: { sid: string; clientId: string }) =>
  `${encodeURIComponent(d.sid)}/${encodeURIComponent(d.clientId)}`;

export function parseDeliveryId(id: string): { sid: string; clientId: string } | undefined {
  const parts = id.split('/');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return undefined;
  try {
    return { sid: decodeURIComponent(parts[0]), clientId: decodeURIComponent(parts[1]) };
  } catch {
    return undefined;
  }
}

export const listDeadLetters: Command = {
  path: ['backchannel', 'dead-letters', 'list'],
  summary: 'List back-channel logout deliveries that ran out of attempts (admin API).',
  description: `GET /admin/backchannel/dead-letters, every page. The ID column (<sid>/<client_id>,
each part URL-encoded) is what 'retry' takes. The logout token itself is
never shown.`,
  positionals: [],
  options: {
    ...ADMIN_OPTIONS,
    json: { type: 'boolean', help: 'one JSON array instead of the table' },
  },
  async run({ values, io }) {
    const api = adminApiFrom(values, io);
    const all: BackchannelDeliveryView[] = [];
    for (let after: BackchannelDeliveryView | undefined; ;) {
      const query = new URLSearchParams({ limit: String(PAGE) });
      if (after) {
        query.set('after_sid', after.sid);
        query.set('after_client_id', after.clientId);
      }
      const page = await api.call<{ deliveries: BackchannelDeliveryView[] }>(
        'GET',
        ['backchannel', 'dead-letters'],
        undefined,
        query,
      );
      const deliveries = page?.deliveries ?? [];
      all.push(...deliveries);
      if (deliveries.length < PAGE) break;
      after = deliveries[deliveries.length - 1];
    }
    if (values.json) return void println(io.stdout, JSON.stringify(all));
    io.stdout.write(
      renderTable(
        ['ID', 'SUB', 'URI', 'ATTEMPTS', 'UPDATED', 'LAST ERROR'],
        all.map((d) => [
          deliveryId(d),
          d.sub,
          d.uri,
          String(d.attempts),
          new Date(d.updatedAt).toISOString(),
          d.lastError ?? '',
        ]),
      ),
    );
  },
};

export const retryDeadLetter: Command = {
  path: ['backchannel', 'dead-letters', 'retry'],
  summary: 'Put a dead-lettered delivery back in the queue (admin API).',
  description: `<id> is the ID column of 'dead-letters list' (<sid>/<client_id>). The delivery
is due at once with its attempts reset; it resends a logout token with the
same jti. Fails when there is no such delivery (404) or it is not
dead-lettered (409).`,
  positionals: [{ name: 'id' }],
  options: { ...ADMIN_OPTIONS },
  async run({ values, positionals, io, usageError }) {
    const id = parseDeliveryId(positionals[0]!);
    if (!id) throw usageError(`'${positionals[0]!}' is not a delivery id (<sid>/<client_id>)`);
    await adminApiFrom(values, io).call('POST', [
      'backchannel',
      'dead-letters',
      id.sid,
      id.clientId,
      'retry',
    ]);
    println(io.stdout, `requeued delivery ${positionals[0]!}`);
  },
};
