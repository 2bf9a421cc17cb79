import type { Command } from '../support/command';
import { ADMIN_OPTIONS, adminApiFrom } from '../support/admin-api';
import { counted, countIn } from '../support/admin-answers';
import { println } from '../support/io';
import { readJsonObject } from '../support/json-file';
import { EMBEDDED_OPTION, JSON_OPTION } from '../support/options';

export const getUser: Command = {
  path: ['users', 'get'],
  summary: 'Show one user: sub, username, claims (admin API).',
  description: 'GET /admin/users/<sub>, printed as JSON. No response carries a password hash.',
  positionals: [{ name: 'sub' }],
  options: { ...ADMIN_OPTIONS },
  async run({ values, positionals, io }) {
    const user = await adminApiFrom(values, io).call('GET', ['users', positionals[0]!]);
    println(io.stdout, JSON.stringify(user, null, 2));
  },
};

export const createUser: Command = {
  path: ['users', 'create'],
  summary: 'Create a user from a JSON file (admin API).',
  description: `POSTs the file to /admin/users: {"username", "password", "claims"?, "sub"?}
(sub is generated when absent). The password is read from the file (or stdin
with --file -), never from an argument, and is never printed: the answer shows
sub, username and claims.`,
  positionals: [],
  options: {
    file: { type: 'string', value: 'PATH', help: 'the new user, JSON (required; - for stdin)' },
    ...ADMIN_OPTIONS,
  },
  async run({ values, io, usageError }) {
    if (typeof values.file !== 'string') throw usageError('--file is required');
    const body = await readJsonObject(io, values.file);
    const user = await adminApiFrom(values, io).call('POST', ['users'], body);
    println(io.stdout, JSON.stringify(user, null, 2));
  },
};

export const updateUser: Command = {
  path: ['users', 'update'],
  summary: 'Change a user from a JSON file of changes (admin API).',
  description: `PUTs the file to /admin/users/<sub>: {"username"?, "password"?, "claims"?};
fields left out stay, "claims" replaces the whole claim set. A new password
is read from the file (or stdin with --file -), never from an argument, and
is never printed: the answer shows sub, username and claims.`,
  positionals: [{ name: 'sub' }],
  options: {
    file: { type: 'string', value: 'PATH', help: 'the changes, JSON (required; - for stdin)' },
    ...ADMIN_OPTIONS,
  },
  async run({ values, positionals, io, usageError }) {
    if (typeof values.file !== 'string') throw usageError('--file is required');
    const changes = await readJsonObject(io, values.file);
    const user = await adminApiFrom(values, io).call('PUT', ['users', positionals[0]!], changes);
    println(io.stdout, JSON.stringify(user, null, 2));
  },
};

export const deleteUser: Command = {
  path: ['users', 'delete'],
  summary: 'Delete a user and revoke their tokens (admin API).',
  description: 'DELETE /admin/users/<sub>: every grant of the user is revoked before it answers.',
  positionals: [{ name: 'sub' }],
  options: { ...ADMIN_OPTIONS },
  async run({ values, positionals, io }) {
    await adminApiFrom(values, io).call('DELETE', ['users', positionals[0]!]);
    println(io.stdout, `deleted user ${positionals[0]!}`);
  },
};

export const unlockUser: Command = {
  path: ['users', 'unlock'],
  summary: "Lift a user's sign-in lock (admin API).",
  description: `POST /admin/users/<sub>/unlock (ADR 0016): forgets the failed sign-ins and
lifts a running lock. Prints whether a lock was lifted.`,
  positionals: [{ name: 'sub' }],
  options: { ...ADMIN_OPTIONS },
  async run({ values, positionals, io }) {
    const sub = positionals[0]!;
    const answer = await adminApiFrom(values, io).call<{ unlocked: boolean }>('POST', [
      'users',
      sub,
      'unlock',
    ]);
    println(io.stdout, answer?.unlocked ? `unlocked user ${sub}` : `user ${sub} was not locked`);
  },
};

export const endUserSessions: Command = {
  path: ['users', 'end-sessions'],
  summary: 'Sign a user out everywhere (admin API).',
  description: `POST /admin/users/<sub>/end-sessions: every live session of the user ends
(reason user_logout_all, back-channel logout to its clients) and their grants
are revoked before the call answers. Prints how many sessions ended; none is
not an error.`,
  positionals: [{ name: 'sub' }],
  options: { ...ADMIN_OPTIONS },
  async run({ values, positionals, io }) {
    const sub = positionals[0]!;
    const answer = await adminApiFrom(values, io).call('POST', ['users', sub, 'end-sessions']);
    const n = countIn(answer, 'ended_sessions', `POST /admin/users/${sub}/end-sessions`);
    println(io.stdout, `ended ${counted(n, 'session')} of user ${sub}`);
  },
};

export const revokeUserTokens: Command = {
  path: ['users', 'revoke-tokens'],
  summary: 'Revoke every grant of a user; the user stays (admin API).',
  description: `POST /admin/users/<sub>/revoke-tokens: the user's tokens are refused and
inactive once the call answers. Prints how many grants were revoked.`,
  positionals: [{ name: 'sub' }],
  options: { ...ADMIN_OPTIONS },
  async run({ values, positionals, io }) {
    const sub = positionals[0]!;
    const answer = await adminApiFrom(values, io).call('POST', ['users', sub, 'revoke-tokens']);
    const n = countIn(answer, 'revoked_grants', `POST /admin/users/${sub}/revoke-tokens`);
    println(io.stdout, `revoked ${counted(n, 'grant')} of user ${sub}`);
  },
};

export const listUsers: Command = {
  path: ['users', 'list'],
  summary: 'List the users: sub, username (reads the event store).',
  description: `The admin API has no list route, so this reads the event store (read only:
DATABASE_URL/DATABASE_SCHEMA, or --embedded with DATA_DIR) and shows the users
that exist now. Password hashes and claims are not shown.`,
  positionals: [],
  options: { ...EMBEDDED_OPTION, ...JSON_OPTION },
  run: async (ctx) => (await import('./run/store-lists')).runListUsers(ctx),
};
