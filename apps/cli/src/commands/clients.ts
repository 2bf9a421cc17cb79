import type { Command } from '../support/command';
import { ADMIN_OPTIONS, adminApiFrom } from '../support/admin-api';
import { println } from '../support/io';
import { readJsonObject } from '../support/json-file';
import { EMBEDDED_OPTION, JSON_OPTION } from '../support/options';

export const getClient: Command = {
  path: ['clients', 'get'],
  summary: 'Show one client (admin API).',
  description: `Prints the client's information as GET /admin/clients/<id> returns it (JSON):
its metadata and source, never its secret.`,
  positionals: [{ name: 'id' }],
  options: { ...ADMIN_OPTIONS },
  async run({ values, positionals, io }) {
    const client = await adminApiFrom(values, io).call('GET', ['clients', positionals[0]!]);
    println(io.stdout, JSON.stringify(client, null, 2));
  },
};

export const createClient: Command = {
  path: ['clients', 'create'],
  summary: 'Register a client from a JSON file (admin API); prints its secret once.',
  description: `POSTs the file (RFC 7591 metadata plus the operator settings skip_consent and
access_token_claims; client_id and client_secret may be chosen) to
/admin/clients and prints the answer as JSON. THE ONE EXCEPTION to "never
print a secret": a confidential client's client_secret is in this output,
once, as the admin API returns it; it cannot be read again (rotate it with
the admin API if it is lost). '-' reads the JSON from stdin.`,
  positionals: [],
  options: {
    file: {
      type: 'string',
      value: 'PATH',
      help: 'the client metadata, JSON (required; - for stdin)',
    },
    ...ADMIN_OPTIONS,
  },
  async run({ values, io, usageError }) {
    if (typeof values.file !== 'string') throw usageError('--file is required');
    const metadata = await readJsonObject(io, values.file);
    const created = await adminApiFrom(values, io).call('POST', ['clients'], metadata);
    println(io.stdout, JSON.stringify(created, null, 2));
  },
};

export const deleteClient: Command = {
  path: ['clients', 'delete'],
  summary: 'Delete a client and revoke its tokens (admin API).',
  description: `DELETE /admin/clients/<id>: the client can no longer authenticate and every
grant it holds is revoked before the call answers.`,
  positionals: [{ name: 'id' }],
  options: { ...ADMIN_OPTIONS },
  async run({ values, positionals, io }) {
    await adminApiFrom(values, io).call('DELETE', ['clients', positionals[0]!]);
    println(io.stdout, `deleted client ${positionals[0]!}`);
  },
};

export const listClients: Command = {
  path: ['clients', 'list'],
  summary: 'List the registered clients (reads the event store).',
  description: `The admin API has no list route, so this reads the event store (read only,
like the other store commands: DATABASE_URL/DATABASE_SCHEMA, or --embedded
with DATA_DIR) and shows the clients that exist now. No secret is read.`,
  positionals: [],
  options: { ...EMBEDDED_OPTION, ...JSON_OPTION },
  run: async (ctx) => (await import('./run/store-lists')).runListClients(ctx),
};
