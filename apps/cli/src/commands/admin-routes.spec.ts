import { fakeIo } from '../io.test-support';
import { main } from '../main';
import { TOKEN, runAdmin as run } from './admin.test-support';

/**
 * The admin routes issue #14 brought to the CLI (updates, secret rotation,
 * revocations, sessions). The older admin commands are in
 * admin-commands.spec.ts.
 */

const SECRET = 'chosen-secret-Zq8vK2mP4xR7tY1wN5bH3jL6dF9gS0aE';
const PASSWORD = 'new password: staple battery horse';

interface Case {
  readonly argv: string[];
  /** `METHOD /path` as the fake API sees it (the URL's path, encoded). */
  readonly route: string;
  readonly answer: unknown;
  readonly files?: Record<string, string>;
  readonly body?: unknown;
  readonly stdout: string;
}

const rotated = { client_id: 'rp-1', client_secret: 'n'.repeat(43), client_secret_expires_at: 0 };
const session = { sid: 's1', sub: 'u1', clients: ['rp-1'], expiresAt: 1 };

const CASES: Record<string, Case> = {
  'clients update': {
    argv: ['clients', 'update', 'rp-1', '--file', 'rp.json'],
    files: { 'rp.json': '{"client_name":"RP 2","grant_types":["client_credentials"]}' },
    route: 'PUT /admin/clients/rp-1',
    answer: { client_id: 'rp-1', client_name: 'RP 2', source: 'admin' },
    body: { client_name: 'RP 2', grant_types: ['client_credentials'] },
    stdout: JSON.stringify({ client_id: 'rp-1', client_name: 'RP 2', source: 'admin' }, null, 2),
  },
  'clients rotate-secret': {
    argv: ['clients', 'rotate-secret', 'rp-1'],
    route: 'POST /admin/clients/rp-1/secret',
    answer: rotated,
    stdout: JSON.stringify(rotated, null, 2),
  },
  'clients revoke-tokens': {
    argv: ['clients', 'revoke-tokens', 'rp-1'],
    route: 'POST /admin/clients/rp-1/revoke-tokens',
    answer: { revoked_grants: 3 },
    stdout: 'revoked 3 grants of client rp-1',
  },
  'sessions get': {
    argv: ['sessions', 'get', 's1'],
    route: 'GET /admin/sessions/s1',
    answer: session,
    stdout: JSON.stringify(session, null, 2),
  },
  'sessions revoke-tokens': {
    argv: ['sessions', 'revoke-tokens', 's1'],
    route: 'POST /admin/sessions/s1/revoke-tokens',
    answer: { revoked_grants: 0 },
    stdout: 'revoked 0 grants of session s1',
  },
  'users update': {
    argv: ['users', 'update', 'u1', '--file', '-'],
    files: { '-': JSON.stringify({ password: PASSWORD, claims: { email: 'a@example.test' } }) },
    route: 'PUT /admin/users/u1',
    answer: { sub: 'u1', username: 'alice', claims: { email: 'a@example.test' } },
    body: { password: PASSWORD, claims: { email: 'a@example.test' } },
    stdout: JSON.stringify(
      { sub: 'u1', username: 'alice', claims: { email: 'a@example.test' } },
      null,
      2,
    ),
  },
  'users end-sessions': {
    argv: ['users', 'end-sessions', 'u1'],
    route: 'POST /admin/users/u1/end-sessions',
    answer: { ended_sessions: 1 },
    stdout: 'ended 1 session of user u1',
  },
  'users revoke-tokens': {
    argv: ['users', 'revoke-tokens', 'u1'],
    route: 'POST /admin/users/u1/revoke-tokens',
    answer: { revoked_grants: 1 },
    stdout: 'revoked 1 grant of user u1',
  },
};

const cases = Object.entries(CASES);
/** argv with its id (the third word) replaced. */
const withId = (c: Case, id: string) => c.argv.map((a, i) => (i === 2 ? id : a));
const routeOf = (c: Case) => c.route.split(' ') as [string, string];

describe('admin commands for issue #14 (over a fake admin API)', () => {
  it.each(cases)(
    '%s: the right method, URL and body with the bearer token; prints the answer',
    async (_name, c) => {
      const r = await run(c.argv, { [c.route]: [200, c.answer] }, { files: c.files ?? {} });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.calls).toHaveLength(1);
      const [method, path] = routeOf(c);
      expect(r.calls[0]!.method).toBe(method);
      expect(r.calls[0]!.url).toBe(`http://admin.test:9100${path}`);
      expect(r.calls[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(r.calls[0]!.body).toEqual(c.body);
      expect(r.stdout).toBe(`${c.stdout}\n`);
    },
  );

  it.each(cases)('%s: the id is URL-encoded, one path segment', async (_name, c) => {
    const r = await run(withId(c, '../x?y#z%'), {}, { files: c.files ?? {} });
    const [, path] = routeOf(c);
    // The third path segment is the id: /admin/<group>/<id>[/<action>].
    const segments = path.split('/');
    segments[3] = '..%2Fx%3Fy%23z%25';
    expect(r.calls[0]!.url).toBe(`http://admin.test:9100${segments.join('/')}`);
  });

  it.each(cases)('%s: an API error is one line naming the route, exit 1', async (name, c) => {
    const r = await run(
      c.argv,
      { [c.route]: [404, { error: 'invalid_request', error_description: 'no such thing' }] },
      { files: c.files ?? {} },
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`idp ${name}: ${c.route}: 404 invalid_request: no such thing\n`);
    expect(r.stderr).not.toContain(TOKEN);
  });

  it.each(cases)('%s: without its positional, exit 2 with usage, nothing sent', async (name, c) => {
    // Its options stay (--file too): only the id is left out.
    const argv = [...c.argv.slice(0, 2), ...c.argv.slice(3)];
    const r = await run(argv, {}, { files: c.files ?? {} });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`idp ${name}: missing <`);
    expect(r.stderr).toContain(`usage: idp ${name} <`);
    expect(r.calls).toHaveLength(0);
  });

  it.each([
    ['clients', 'update', 'rp-1'],
    ['users', 'update', 'u1'],
  ])('%s %s without --file: exit 2 with usage, nothing sent', async (...argv) => {
    const r = await run(argv, {});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`idp ${argv[0]} update: --file is required`);
    expect(r.stderr).toContain(`usage: idp ${argv[0]} update <`);
    expect(r.calls).toHaveLength(0);
  });

  it.each([
    ['users', 'u1', { password: PASSWORD }],
    ['clients', 'rp-1', { client_secret: SECRET, grant_types: ['client_credentials'] }],
  ] as const)(
    '%s update: a secret from the file never reaches stderr, even when it fails',
    async (group, id, file) => {
      const files = { 'f.json': JSON.stringify(file) };
      const route = `PUT /admin/${group}/${id}`;
      for (const answer of [
        [400, { error: 'invalid_request', error_description: 'too weak' }],
        [500, 'boom'],
      ] as [number, unknown][]) {
        const r = await run(
          [group, 'update', id, '--file', 'f.json'],
          { [route]: answer },
          { files },
        );
        expect(r.code).toBe(1);
        expect(r.calls[0]!.body).toEqual(file);
        expect(r.stderr).not.toContain(PASSWORD);
        expect(r.stderr).not.toContain(SECRET);
        expect(r.stdout).toBe('');
      }
      // A file that is not JSON is not quoted either.
      const bad = await run(
        [group, 'update', id, '--file', 'f.json'],
        {},
        {
          files: { 'f.json': `{"password": "${PASSWORD}", "client_secret": "${SECRET}"` },
        },
      );
      expect(bad.code).toBe(1);
      expect(bad.stderr).toBe(`idp ${group} update: f.json is not JSON\n`);
    },
  );

  it('users update: the password goes in the body only, never to stdout or stderr', async () => {
    const c = CASES['users update']!;
    const r = await run(c.argv, { [c.route]: [200, c.answer] }, { files: c.files ?? {} });
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
  });

  it('clients rotate-secret: the new secret goes to stdout only, once', async () => {
    const r = await run(['clients', 'rotate-secret', 'rp-1'], {
      'POST /admin/clients/rp-1/secret': [200, rotated],
    });
    expect(r.stdout.split(rotated.client_secret)).toHaveLength(2);
    expect(r.stderr).toBe('');
  });

  it.each([
    [
      'clients',
      'revoke-tokens',
      'rp-1',
      'POST /admin/clients/rp-1/revoke-tokens',
      'revoked_grants',
    ],
    ['sessions', 'revoke-tokens', 's1', 'POST /admin/sessions/s1/revoke-tokens', 'revoked_grants'],
    ['users', 'end-sessions', 'u1', 'POST /admin/users/u1/end-sessions', 'ended_sessions'],
  ])('%s %s: an answer without the count is an error, not 0', async (g, c, id, route, field) => {
    const r = await run([g, c, id], { [route]: [200, { something: 'else' }] });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `idp ${g} ${c}: ${route}: the answer has no ${field} (is this the admin API?)\n`,
    );
  });

  it('idp --help and the group helps list the new subcommands', async () => {
    const { io, stdout } = fakeIo();
    expect(await main(['--help'], io)).toBe(0);
    for (const line of [
      'clients update <id> [--file PATH] [--endpoint URL] [--token TOKEN]',
      'clients rotate-secret <id> [--endpoint URL] [--token TOKEN]',
      'clients revoke-tokens <id> [--endpoint URL] [--token TOKEN]',
      'sessions get <sid> [--endpoint URL] [--token TOKEN]',
      'sessions revoke-tokens <sid> [--endpoint URL] [--token TOKEN]',
      'users update <sub> [--file PATH] [--endpoint URL] [--token TOKEN]',
      'users end-sessions <sub> [--endpoint URL] [--token TOKEN]',
      'users revoke-tokens <sub> [--endpoint URL] [--token TOKEN]',
    ])
      expect(stdout()).toContain(`  ${line}\n`);
    const sessions = fakeIo();
    expect(await main(['sessions', '--help'], sessions.io)).toBe(0);
    expect(sessions.stdout()).toContain('sessions get <sid>');
    expect(sessions.stdout()).toContain('sessions revoke-tokens <sid>');
  });
});
