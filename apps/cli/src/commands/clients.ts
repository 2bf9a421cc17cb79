import type { Command } from '../support/command';
import { ADMIN_OPTIONS, adminApiFrom } from '../support/admin-api';
import { counted, countIn } from '../support/admin-answers';
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
/admin/clients and prints the answer as JSON. AN EXCEPTION to "never print
a secret" (as rotate-secret is): a confidential client's client_secret is in
this output, once, as the admin API returns it; it cannot be read again
('clients rotate-secret' gives a new one if it is lost). '-' reads the JSON
from stdin.`,
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

export const updateClient: Command = {
  path: ['clients', 'update'],
  summary: "Replace a client's metadata from a JSON file (admin API).",
  description: `PUTs the file to /admin/clients/<id>: a full replace, like create's file (the
client_id comes from the argument); metadata left out returns to its default.
The secret is kept unless the file chooses a new client_secret. Prints the
answer as JSON; it carries a client_secret only when this call set one (the
file's, or one generated when a public client becomes confidential), once.
'-' reads the JSON from stdin.`,
  positionals: [{ name: 'id' }],
  options: {
    file: {
      type: 'string',
      value: 'PATH',
      help: 'the whole client metadata, JSON (required; - for stdin)',
    },
    ...ADMIN_OPTIONS,
  },
  async run({ values, positionals, io, usageError }) {
    if (typeof values.file !== 'string') throw usageError('--file is required');
    const metadata = await readJsonObject(io, values.file);
    const updated = await adminApiFrom(values, io).call(
      'PUT',
      ['clients', positionals[0]!],
      metadata,
    );
    println(io.stdout, JSON.stringify(updated, null, 2));
  },
};

export const rotateClientSecret: Command = {
  path: ['clients', 'rotate-secret'],
  summary: 'Give a client a new generated secret (admin API); prints it once.',
  description: `POST /admin/clients/<id>/secret: the old secret stops working at once. Prints
the answer as JSON, {"client_id", "client_secret", "client_secret_expires_at"}:
like 'clients create', an exception to "never print a secret", as this is the
one time the new secret can be seen.`,
  positionals: [{ name: 'id' }],
  options: { ...ADMIN_OPTIONS },
  async run({ values, positionals, io }) {
    const rotated = await adminApiFrom(values, io).call('POST', [
      'clients',
      positionals[0]!,
      'secret',
    ]);
    println(io.stdout, JSON.stringify(rotated, null, 2));
  },
};

export const revokeClientTokens: Command = {
  path: ['clients', 'revoke-tokens'],
  summary: 'Revoke every grant of a client; the client stays (admin API).',
  description: `POST /admin/clients/<id>/revoke-tokens: its tokens are refused and inactive
once the call answers. Prints how many grants were revoked; an unknown client
is an error (404).`,
  positionals: [{ name: 'id' }],
  options: { ...ADMIN_OPTIONS },
  async run({ values, positionals, io }) {
    const id = positionals[0]!;
    const answer = await adminApiFrom(values, io).call('POST', ['clients', id, 'revoke-tokens']);
    const n = countIn(answer, 'revoked_grants', `POST /admin/clients/${id}/revoke-tokens`);
    println(io.stdout, `revoked ${counted(n, 'grant')} of client ${id}`);
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
