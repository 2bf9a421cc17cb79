import { setTimeout as sleep } from 'node:timers/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AccessTokenIssued,
  ClientDeleted,
  ClientRegistered,
  ClientUpdated,
  SigningKeyActivated,
  SigningKeyGenerated,
  SigningKeyRetired,
  UserCreated,
  UserDeleted,
  UserUpdated,
  freshEventMeta,
} from '@idp/contracts';
import { deriveTokenKeys, keyedHash, mintOpaqueToken, randomBytes } from '@idp/crypto';
import { createEventStore, type TypeOrmEventStore } from '@idp/eventstore';
import { fakeIo } from '../io.test-support';
import { main } from '../main';
import { KEY_RING_STREAM, grantStream } from '@idp/domain';

// A new id per event: ids are unique in the store.
const meta = () => freshEventMeta('c-1');
const NOW = Date.parse('2026-01-01T00:00:00Z') / 1000;
const TOKEN_HASH_KEY = randomBytes(32).toString('base64url');

/** The store-level commands over a real SQLite event store in a temporary DATA_DIR (--embedded). */
describe('store commands (SQLite, --embedded)', () => {
  let dataDir: string;
  let store: TypeOrmEventStore;
  const env = () => ({ DATA_DIR: dataDir, TOKEN_HASH_KEY });
  const run = async (argv: string[]) => {
    const { io, stdout, stderr } = fakeIo({ env: env() });
    const code = await main([...argv, '--embedded'], io);
    return { code, stdout: stdout(), stderr: stderr() };
  };

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'idp-cli-store-'));
    store = await createEventStore({ driver: 'sqlite', file: join(dataDir, 'events.sqlite') });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const key = (kid: string, createdAt: number) =>
    SigningKeyGenerated.create(
      { kid, alg: 'ES256', publicJwk: { kty: 'EC' }, encryptedPrivateJwk: 'jwe-secret', createdAt },
      meta(),
    );

  it('keys list: kid, alg, state and age; never the private key', async () => {
    await store.append(KEY_RING_STREAM, 0, [
      key('k1', NOW - 3 * 86_400),
      SigningKeyActivated.create(
        { kid: 'k1', alg: 'ES256', activatedAt: NOW - 3 * 86_400 },
        meta(),
      ),
      key('k2', NOW - 600),
      SigningKeyActivated.create({ kid: 'k2', alg: 'ES256', activatedAt: NOW - 600 }, meta()),
      SigningKeyRetired.create({ kid: 'k1', retiredAt: NOW - 600, publishUntil: NOW + 60 }, meta()),
    ]);
    const r = await run(['keys', 'list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'KID  ALG    STATE    AGE    PUBLISHED UNTIL',
        'k1   ES256  retired  3d 0h  2026-01-01T00:01:00.000Z',
        'k2   ES256  active   10m',
        '',
      ].join('\n'),
    );
    const json = await run(['keys', 'list', '--json']);
    expect(JSON.parse(json.stdout)).toEqual([
      expect.objectContaining({ kid: 'k1', state: 'retired', ageSeconds: 3 * 86_400 }),
      expect.objectContaining({ kid: 'k2', state: 'active', ageSeconds: 600 }),
    ]);
    expect(r.stdout + json.stdout).not.toContain('jwe-secret');
  });

  it('keys list: a retired key past its grace period is expired', async () => {
    await store.append(KEY_RING_STREAM, 0, [
      key('k1', NOW - 100),
      SigningKeyActivated.create({ kid: 'k1', alg: 'ES256', activatedAt: NOW - 100 }, meta()),
      SigningKeyRetired.create({ kid: 'k1', retiredAt: NOW - 50, publishUntil: NOW - 1 }, meta()),
    ]);
    expect((await run(['keys', 'list'])).stdout).toContain('k1   ES256  expired');
  });

  const client = (clientId: string, name: string) =>
    ClientRegistered.create(
      {
        clientId,
        metadata: { client_id: clientId, client_name: name },
        secretHash: 'client-secret-hash',
        source: 'admin',
      },
      meta(),
    );

  it('clients list: the clients that exist now, no secret', async () => {
    await store.append('client-b', 0, [client('b', 'Bee')]);
    await store.append('client-a', 0, [client('a', 'Ay')]);
    await store.append('client-gone', 0, [
      client('gone', 'Gone'),
      ClientDeleted.create({ clientId: 'gone' }, meta()),
    ]);
    await store.append('client-a', 1, [
      ClientUpdated.create(
        { clientId: 'a', metadata: { client_id: 'a', client_name: 'Ay 2' } },
        meta(),
      ),
    ]);
    const r = await run(['clients', 'list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'CLIENT_ID  NAME  SOURCE  AUTH                 GRANT TYPES',
        'a          Ay 2  admin   client_secret_basic  authorization_code',
        'b          Bee   admin   client_secret_basic  authorization_code',
        '',
      ].join('\n'),
    );
    const json = JSON.parse((await run(['clients', 'list', '--json'])).stdout) as {
      client_id: string;
    }[];
    expect(json.map((c) => c.client_id)).toEqual(['a', 'b']);
    expect(r.stdout).not.toContain('client-secret-hash');
  });

  it('users list: sub and username, no password hash', async () => {
    const created = (sub: string, username: string) =>
      UserCreated.create({ sub, username, passwordHash: 'scrypt-hash', claims: {} }, meta());
    await store.append('user-u1', 0, [created('u1', 'alice')]);
    await store.append('user-u2', 0, [
      created('u2', 'bob'),
      UserDeleted.create({ sub: 'u2' }, meta()),
    ]);
    await store.append('user-u1', 1, [
      UserUpdated.create({ sub: 'u1', username: 'alice2' }, meta()),
    ]);
    const r = await run(['users', 'list']);
    expect(r.stdout).toBe('SUB  USERNAME\nu1   alice2\n');
    expect(JSON.parse((await run(['users', 'list', '--json'])).stdout)).toEqual([
      { sub: 'u1', username: 'alice2' },
    ]);
  });

  describe('grants show', () => {
    const keys = deriveTokenKeys(TOKEN_HASH_KEY);
    const grantId = 'g-123';
    const token = mintOpaqueToken('at', keys.macKey, grantId);
    beforeEach(async () => {
      await store.append(grantStream(grantId), 0, [
        AccessTokenIssued.create(
          {
            grantId,
            jti: `${grantId}.1`,
            tokenHash: keyedHash(keys.tokenHashKey, token),
            format: 'opaque',
            clientId: 'rp',
            scope: 'openid',
            aud: ['rp'],
            iat: NOW,
            exp: NOW + 300,
          },
          meta(),
        ),
      ]);
    });

    it('by grant id: the history, hashes redacted', async () => {
      const r = await run(['grants', 'show', grantId]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(
        /^grant g-123: 1 event\n {2}#1 {2}\S+ {2}grant\.access_token_issued {2}\{/,
      );
      expect(r.stdout).toContain('"tokenHash":"[redacted]"');
      expect(r.stdout).not.toContain(keyedHash(keys.tokenHashKey, token));
    });

    it('by token: resolved by its MAC and keyed hash, never printed back', async () => {
      const r = await run(['grants', 'show', token]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(
        'grant g-123 (from an opaque access token, recorded by #1 grant.access_token_issued): 1 event',
      );
      expect(r.stdout + r.stderr).not.toContain(token);
      const lines = (await run(['grants', 'show', token, '--json'])).stdout.trim().split('\n');
      expect(JSON.parse(lines[0]!)).toMatchObject({ stream: 'grant-g-123', position: '1' });
    });

    it('a forged token or an unknown grant: exit 1, one line, no token', async () => {
      const forged = `${token.slice(0, -4)}AAAA`;
      const r = await run(['grants', 'show', forged]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        'idp grants show: the token is not one this deployment issued (its MAC does not verify)\n',
      );
      expect(r.stderr).not.toContain(forged);
      const unknown = await run(['grants', 'show', 'no-such-grant']);
      expect([unknown.code, unknown.stderr]).toEqual([
        1,
        'idp grants show: no grant no-such-grant\n',
      ]);
    });

    it('--at: the state at that instant and why not, never the token', async () => {
      // Its own grant, issued now: the fixture above expired before its event's time.
      const live = 'g-live';
      const liveToken = mintOpaqueToken('at', keys.macKey, live);
      const iat = Math.floor(Date.now() / 1000);
      await store.append(grantStream(live), 0, [
        AccessTokenIssued.create(
          {
            grantId: live,
            jti: `${live}.1`,
            tokenHash: keyedHash(keys.tokenHashKey, liveToken),
            format: 'opaque',
            clientId: 'rp',
            scope: 'openid',
            aud: ['rp'],
            iat,
            exp: iat + 300,
          },
          meta(),
        ),
      ]);
      const [issued] = await store.readStream(grantStream(live));
      const issuedMs = Date.parse(issued!.occurredAt);
      const at = (ms: number) =>
        run(['grants', 'show', liveToken, '--at', new Date(ms).toISOString()]);
      const before = await at(issuedMs - 1);
      expect(before.code).toBe(0);
      expect(before.stdout).toContain(
        `the access token was not active: not yet issued (issued at ${issued!.occurredAt})`,
      );
      expect((await at(issuedMs)).stdout).toMatch(/: the access token was active \(expires at /);
      const expired = await at((iat + 300) * 1000);
      expect(expired.stdout).toContain(
        `the access token was not active: expired at ${new Date((iat + 300) * 1000).toISOString()}`,
      );
      expect(before.stdout + expired.stdout).not.toContain(liveToken);
      const json = await run(['grants', 'show', liveToken, '--at', issued!.occurredAt, '--json']);
      expect(JSON.parse(json.stdout)).toMatchObject({
        grantId: live,
        subject: 'access_token',
        state: {
          active: true,
          token: { kind: 'access_token', format: 'opaque', jti: `${live}.1` },
        },
      });
      expect(json.stdout).not.toContain(keyedHash(keys.tokenHashKey, liveToken));
      const byId = await run(['grants', 'show', live, '--at', 'now']);
      expect(byId.stdout).toMatch(/the grant had not been revoked/);
    });

    it('--at that is not RFC 3339: exit 1, one line', async () => {
      for (const bad of ['yesterday', '2026-01-02', '2026-01-02T03:04:05']) {
        const r = await run(['grants', 'show', grantId, '--at', bad]);
        expect([r.code, r.stderr]).toEqual([
          1,
          'idp grants show: --at must be an RFC 3339 date-time with a time zone (2026-01-02T03:04:05Z)\n',
        ]);
      }
    });

    it('a JWT that is not ours: exit 1', async () => {
      const r = await run(['grants', 'show', 'eyJhbGciOiJFUzI1NiJ9.eyJqdGkiOiJnLTEyMy4xIn0.c2ln']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('not an access token this deployment signed');
    });
  });

  it('events tail: follows from the end, filters by type and grant, stops on abort', async () => {
    await store.append('grant-old', 0, [
      AccessTokenIssued.create(
        {
          grantId: 'old',
          jti: 'old.1',
          format: 'jwt',
          clientId: 'rp',
          scope: '',
          aud: ['rp'],
          iat: NOW,
          exp: NOW + 1,
        },
        meta(),
      ),
    ]);
    const controller = new AbortController();
    const { io, stdout, stderr } = fakeIo({ env: env(), signal: controller.signal });
    const done = main(
      ['events', 'tail', '--embedded', '--type', 'client.*', '--interval-ms', '20'],
      io,
    );
    await waitFor(() => stderr().includes('following'));
    expect(stderr()).toContain('after position 1 (Ctrl-C stops)');
    await store.append('user-u9', 0, [UserDeleted.create({ sub: 'u9' }, meta())]);
    await store.append('client-c9', 0, [client('c9', 'Nine')]);
    await waitFor(() => stdout().includes('\n'));
    controller.abort();
    expect(await done).toBe(0);
    const lines = stdout()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      type: 'client.registered',
      stream: 'client-c9',
      position: '3',
    });
    expect((lines[0]!.data as Record<string, unknown>).secretHash).toBe('[redacted]');

    const all = fakeIo({ env: env(), signal: AbortSignal.abort() });
    expect(
      await main(['events', 'tail', '--embedded', '--from-start', '--grant', 'old'], all.io),
    ).toBe(0);
    expect(all.stdout().trim().split('\n')).toHaveLength(1);
    expect(all.stdout()).toContain('"stream":"grant-old"');
  });
});

async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out');
    await sleep(10);
  }
}
