import type { RunContext } from '../../support/command';
import { println } from '../../support/io';
import { cliConfig, withEventStore } from '../../support/store';
import { scanEvents } from '../../support/stream-listing';
import { renderTable } from '../../support/table';

interface ClientRow {
  client_id: string;
  client_name?: string;
  source: string;
  grant_types: string[];
  token_endpoint_auth_method: string;
}

const CLIENT_EVENTS = new Set(['client.registered', 'client.updated', 'client.deleted']);

export async function runListClients({ values, io }: RunContext): Promise<void> {
  const embedded = values.embedded === true;
  const clients = new Map<string, ClientRow>();
  await withEventStore(cliConfig(io.env, embedded), embedded, (store) =>
    scanEvents(store, CLIENT_EVENTS, (e) => {
      const data = e.data as {
        clientId: string;
        source?: string;
        metadata?: Omit<ClientRow, 'source'>;
      };
      if (e.type === 'client.deleted') return void clients.delete(data.clientId);
      const before = clients.get(data.clientId);
      if (!data.metadata || (e.type === 'client.updated' && !before)) return;
      const m = data.metadata;
      clients.set(data.clientId, {
        client_id: data.clientId,
        ...(m.client_name === undefined ? {} : { client_name: m.client_name }),
        source: data.source ?? before?.source ?? '',
        grant_types: m.grant_types,
        token_endpoint_auth_method: m.token_endpoint_auth_method,
      });
    }),
  );
  const rows = [...clients.values()].sort((a, b) => a.client_id.localeCompare(b.client_id));
  if (values.json) return void println(io.stdout, JSON.stringify(rows));
  io.stdout.write(
    renderTable(
      ['CLIENT_ID', 'NAME', 'SOURCE', 'AUTH', 'GRANT TYPES'],
      rows.map((r) => [
        r.client_id,
        r.client_name ?? '',
        r.source,
        r.token_endpoint_auth_method,
        r.grant_types.join(','),
      ]),
    ),
  );
}

const USER_EVENTS = new Set(['user.created', 'user.updated', 'user.deleted']);

export async function runListUsers({ values, io }: RunContext): Promise<void> {
  const embedded = values.embedded === true;
  const users = new Map<string, string>();
  await withEventStore(cliConfig(io.env, embedded), embedded, (store) =>
    scanEvents(store, USER_EVENTS, (e) => {
      const { sub, username } = e.data as { sub: string; username?: string };
      if (e.type === 'user.deleted') users.delete(sub);
      else if (username !== undefined && (e.type === 'user.created' || users.has(sub)))
        users.set(sub, username);
    }),
  );
  const rows = [...users].sort(([a], [b]) => a.localeCompare(b));
  if (values.json)
    return void println(
      io.stdout,
      JSON.stringify(rows.map(([sub, username]) => ({ sub, username }))),
    );
  io.stdout.write(renderTable(['SUB', 'USERNAME'], rows));
}
