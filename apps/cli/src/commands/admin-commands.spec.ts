import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fakeIo } from '../io.test-support';
import { main } from '../main';
import { ENV, TOKEN, runAdmin as run } from './admin.test-support';
import { deliveryId, parseDeliveryId } from './backchannel';

describe('admin commands (over a fake admin API)', () => {
  it('clients get: GET with the bearer token, prints the JSON answer', async () => {
    const r = await run(['clients', 'get', 'rp-1'], {
      'GET /admin/clients/rp-1': [200, { client_id: 'rp-1', source: 'admin' }],
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ client_id: 'rp-1', source: 'admin' });
    expect(r.calls[0]!.url).toBe('http://admin.test:9100/admin/clients/rp-1');
    expect(r.calls[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('--endpoint and --token win over the environment', async () => {
    const r = await run(
      ['clients', 'get', 'rp-1', '--endpoint', 'http://other.test/base/', '--token', 'tok-2'],
      { 'GET /base/admin/clients/rp-1': [200, {}] },
    );
    expect(r.code).toBe(0);
    expect(r.calls[0]!.url).toBe('http://other.test/base/admin/clients/rp-1');
    expect(r.calls[0]!.headers.authorization).toBe('Bearer tok-2');
  });

  it('encodes ids so they cannot change the route', async () => {
    const r = await run(['users', 'get', '../clients/x?y'], {});
    expect(r.calls[0]!.url).toBe('http://admin.test:9100/admin/users/..%2Fclients%2Fx%3Fy');
  });

  it('an OAuth error answer is one line with status and description, exit 1', async () => {
    const r = await run(['clients', 'delete', 'ghost'], {
      'DELETE /admin/clients/ghost': [
        404,
        { error: 'invalid_client', error_description: 'no such client' },
      ],
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'idp clients delete: DELETE /admin/clients/ghost: 404 invalid_client: no such client\n',
    );
  });

  it('no token: exit 1 saying how to give one, nothing sent', async () => {
    const r = await run(['sessions', 'end', 's1'], {}, { env: { IDP_ADMIN_URL: 'http://a.test' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'idp sessions end: no admin token: set IDP_ADMIN_TOKEN (or pass --token)\n',
    );
    expect(r.calls).toHaveLength(0);
  });

  it('an unreachable API is one line naming the endpoint, never the token', async () => {
    // A port that was free a moment ago: nothing listens there.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const { io, stderr } = fakeIo({
      env: { IDP_ADMIN_URL: `http://127.0.0.1:${port}`, IDP_ADMIN_TOKEN: TOKEN },
    });
    const code = await main(['users', 'get', 'u1'], io);
    expect(code).toBe(1);
    expect(stderr()).toBe(
      `idp users get: cannot reach the admin API at http://127.0.0.1:${port} (ECONNREFUSED)\n`,
    );
    expect(stderr()).not.toContain(TOKEN);
  });

  it.each([
    [
      'http://user:pw@admin.test',
      'must not carry credentials (http://admin.test): use IDP_ADMIN_TOKEN',
    ],
    ['ftp://admin.test', 'must be http(s): ftp://admin.test'],
    ['not a url', 'is not a URL: not a url'],
  ])('refuses the endpoint %s before sending anything', async (endpoint, message) => {
    const r = await run(['users', 'get', 'u1', '--endpoint', endpoint], {});
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toContain('pw');
    expect(r.calls).toHaveLength(0);
  });

  it('clients create: posts the file, prints the answer with the secret (the one exception)', async () => {
    const created = { client_id: 'rp-2', client_secret: 's'.repeat(43), source: 'admin' };
    const r = await run(
      ['clients', 'create', '--file', 'rp.json'],
      { 'POST /admin/clients': [201, created] },
      { files: { 'rp.json': '{"client_name":"RP","grant_types":["client_credentials"]}' } },
    );
    expect(r.code).toBe(0);
    expect(r.calls[0]!.body).toEqual({ client_name: 'RP', grant_types: ['client_credentials'] });
    expect(r.calls[0]!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(r.stdout)).toEqual(created);
  });

  it.each([
    ['missing.json', {}, 'cannot read missing.json: ENOENT'],
    ['bad.json', { 'bad.json': '{nope' }, 'bad.json is not JSON'],
    ['list.json', { 'list.json': '[1]' }, 'list.json must hold one JSON object'],
  ])('clients create --file %s: exit 1, nothing sent', async (file, files, message) => {
    const r = await run(['clients', 'create', '--file', file], {}, { files });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`idp clients create: ${message}\n`);
    expect(r.calls).toHaveLength(0);
  });

  it('users create: the password goes in the body, never to stdout', async () => {
    const r = await run(
      ['users', 'create', '--file', '-'],
      { 'POST /admin/users': [201, { sub: 'u1', username: 'alice', claims: {} }] },
      { files: { '-': '{"username":"alice","password":"correct horse battery"}' } },
    );
    expect(r.code).toBe(0);
    expect(r.calls[0]!.body).toEqual({ username: 'alice', password: 'correct horse battery' });
    expect(r.stdout).not.toContain('correct horse');
    expect(JSON.parse(r.stdout)).toEqual({ sub: 'u1', username: 'alice', claims: {} });
  });

  it('users delete and unlock', async () => {
    const del = await run(['users', 'delete', 'u1'], { 'DELETE /admin/users/u1': [204] });
    expect([del.code, del.stdout]).toEqual([0, 'deleted user u1\n']);
    const unlocked = await run(['users', 'unlock', 'u1'], {
      'POST /admin/users/u1/unlock': [200, { unlocked: true }],
    });
    expect([unlocked.code, unlocked.stdout]).toEqual([0, 'unlocked user u1\n']);
    const notLocked = await run(['users', 'unlock', 'u1'], {
      'POST /admin/users/u1/unlock': [200, { unlocked: false }],
    });
    expect(notLocked.stdout).toBe('user u1 was not locked\n');
  });

  it('sessions end says whether a live session ended', async () => {
    const ended = await run(['sessions', 'end', 's1'], {
      'POST /admin/sessions/s1/end': [200, { ended: true }],
    });
    expect([ended.code, ended.stdout]).toEqual([0, 'ended session s1\n']);
    const none = await run(['sessions', 'end', 's2'], {
      'POST /admin/sessions/s2/end': [200, { ended: false }],
    });
    expect([none.code, none.stdout]).toEqual([0, 'no live session s2\n']);
  });

  it('dead-letters list reads every page and shows ids retry accepts', async () => {
    const delivery = (n: number) => ({
      sid: `s/${n}`,
      clientId: 'rp',
      sub: 'u',
      jti: 'j',
      uri: 'https://rp.test/bc',
      status: 'dead_lettered',
      attempts: 8,
      nextAttemptAt: 0,
      lastError: 'HTTP 500',
      createdAt: 0,
      updatedAt: 0,
    });
    const firstPage = Array.from({ length: 500 }, (_, n) => delivery(n));
    const { io, stdout } = fakeIo({
      env: ENV,
      fetch: async (url) => {
        const after = new URL(url).searchParams.get('after_sid');
        const deliveries = after === null ? firstPage : [delivery(500)];
        return new Response(JSON.stringify({ deliveries }), { status: 200 });
      },
    });
    expect(await main(['backchannel', 'dead-letters', 'list', '--json'], io)).toBe(0);
    const listed = JSON.parse(stdout()) as { sid: string }[];
    expect(listed).toHaveLength(501);
    const table = fakeIo({
      env: ENV,
      fetch: async () => new Response(JSON.stringify({ deliveries: [delivery(7)] })),
    });
    expect(await main(['backchannel', 'dead-letters', 'list'], table.io)).toBe(0);
    expect(table.stdout()).toMatch(
      /^ID +SUB +URI +ATTEMPTS +UPDATED +LAST ERROR\ns%2F7\/rp +u +https/,
    );
  });

  it('dead-letters retry decodes the id into the route', async () => {
    const r = await run(['backchannel', 'dead-letters', 'retry', 's%2F7/rp'], {
      'POST /admin/backchannel/dead-letters/s%2F7/rp/retry': [200, { delivery: {} }],
    });
    expect([r.code, r.stdout]).toEqual([0, 'requeued delivery s%2F7/rp\n']);
  });

  it('ssf dead-letters: list pages by (stream_id, jti), retry decodes the id into the route', async () => {
    const r = await run(['ssf', 'dead-letters', 'retry', 'st%2F1/j-1'], {
      'POST /admin/ssf/dead-letters/st%2F1/j-1/retry': [200, { delivery: {} }],
    });
    expect([r.code, r.stdout]).toEqual([0, 'requeued delivery st%2F1/j-1\n']);
    const listed = await run(['ssf', 'dead-letters', 'list', '--json'], {
      'GET /admin/ssf/dead-letters': [200, { deliveries: [{ streamId: 'st/1', jti: 'j-1' }] }],
    });
    expect(JSON.parse(listed.stdout)).toEqual([{ streamId: 'st/1', jti: 'j-1' }]);
    expect(listed.calls[0]!.url).toBe('http://admin.test:9100/admin/ssf/dead-letters?limit=500');
    const bad = await run(['ssf', 'dead-letters', 'retry', 'no-slash'], {});
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('is not a delivery id (<stream_id>/<jti>)');
  });

  it('delivery ids round-trip whatever the characters', () => {
    for (const d of [
      { sid: 's1', clientId: 'rp' },
      { sid: 'a/b%c', clientId: 'x/y' },
    ])
      expect(parseDeliveryId(deliveryId(d))).toEqual(d);
    expect(parseDeliveryId('a/b/c')).toBeUndefined();
    expect(parseDeliveryId('/b')).toBeUndefined();
    expect(parseDeliveryId('%E0%A4%A/b')).toBeUndefined();
  });
});
