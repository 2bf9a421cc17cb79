import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@idp/config';
import { startEmbedded } from '@idp/embedded';
import { grantStream } from '@idp/domain';
import { freePort } from '../support/service-process';
import { idp } from './cli.support';

const ADMIN_TOKEN = 'cli-e2e-admin-token-0123456789abcdef';
const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

/**
 * The `idp` admin and store commands against a running embedded server
 * (started in process): clients and users through its admin API, lists and
 * grant histories from its SQLite event store.
 */
describe('idp against a running embedded server', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'idp-cli-embedded-'));
  let issuer = '';
  let env: NodeJS.ProcessEnv = {};
  let close: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    const { app, adminUrl } = await startEmbedded(
      loadConfig({
        DATA_DIR: dataDir,
        PORT: String(port),
        ISSUER: issuer,
        LOG_LEVEL: 'warn',
        ADMIN_TOKEN,
      }),
    );
    close = () => app.close();
    env = {
      DATA_DIR: dataDir,
      ISSUER: issuer,
      IDP_ADMIN_URL: adminUrl,
      IDP_ADMIN_TOKEN: ADMIN_TOKEN,
    };
  }, 120_000);
  afterAll(async () => {
    await close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const token = async (id: string, secret: string) => {
    const res = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basic(id, secret),
      },
      body: 'grant_type=client_credentials&scope=reports%3Aread',
    });
    const body = (await res.json()) as { access_token?: string };
    expect(res.status).toBe(200);
    return body.access_token!;
  };

  const createClient = async (id: string, format: 'opaque' | 'jwt') => {
    const file = join(dataDir, `${id}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        client_id: id,
        client_name: `CLI ${format}`,
        grant_types: ['client_credentials'],
        response_types: [],
        scope: 'reports:read',
        access_token_format: format,
      }),
    );
    const r = await idp(['clients', 'create', '--file', file], env);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const created = JSON.parse(r.stdout) as { client_id: string; client_secret: string };
    expect(created.client_id).toBe(id);
    expect(created.client_secret).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    return created.client_secret;
  };

  it('clients create, list, get and delete', async () => {
    await createClient('cli-rp', 'opaque');

    const listed = await idp(['clients', 'list', '--embedded'], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^CLIENT_ID +NAME +SOURCE +AUTH +GRANT TYPES\n/);
    expect(listed.stdout).toMatch(
      /\ncli-rp +CLI opaque +admin +client_secret_basic +client_credentials\n/,
    );

    const got = await idp(['clients', 'get', 'cli-rp'], env);
    expect(got.code).toBe(0);
    expect(JSON.parse(got.stdout)).toMatchObject({ client_id: 'cli-rp', source: 'admin' });
    expect(got.stdout).not.toContain('client_secret"');

    const deleted = await idp(['clients', 'delete', 'cli-rp'], env);
    expect(deleted).toEqual({ code: 0, stdout: 'deleted client cli-rp\n', stderr: '' });
    const after = await idp(['clients', 'list', '--embedded', '--json'], env);
    expect(
      (JSON.parse(after.stdout) as { client_id: string }[]).map((c) => c.client_id),
    ).not.toContain('cli-rp');
    const gone = await idp(['clients', 'get', 'cli-rp'], env);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^idp clients get: GET \/admin\/clients\/cli-rp: 404 /);
  });

  it('a wrong admin token is a one-line failure that never shows the token', async () => {
    const r = await idp(['clients', 'get', 'anyone'], {
      ...env,
      IDP_ADMIN_TOKEN: 'wrong-token-value',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^idp clients get: GET \/admin\/clients\/anyone: 401 /);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toContain('wrong-token-value');
  });

  it.each(['opaque', 'jwt'] as const)(
    'grants show: the history of a %s token minted here, found by the token, never printed',
    async (format) => {
      const id = `cli-grants-${format}`;
      const secret = await createClient(id, format);
      const accessToken = await token(id, secret);
      const r = await idp(['grants', 'show', accessToken, '--embedded'], env);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(
        new RegExp(
          `^grant (\\S+) \\(from ${format === 'jwt' ? 'a JWT' : 'an opaque'} access token`,
        ),
      );
      expect(r.stdout).toMatch(
        /#1 {2}\S+ {2}grant\.access_token_issued {2}\{.*"clientId":"cli-grants-/,
      );
      expect(r.stdout).not.toContain(accessToken);
      const grantId = /^grant (\S+)/.exec(r.stdout)![1]!;
      const byId = await idp(['grants', 'show', grantId, '--embedded', '--json'], env);
      const events = byId.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { stream: string });
      expect(events[0]!.stream).toBe(grantStream(grantId));
    },
  );

  it('users create, get, list, unlock and delete; the password is never printed', async () => {
    const file = join(dataDir, 'user.json');
    writeFileSync(
      file,
      JSON.stringify({ sub: 'cli-user', username: 'cli.user', password: 'a long enough password' }),
    );
    const created = await idp(['users', 'create', '--file', file], env);
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toEqual({
      sub: 'cli-user',
      username: 'cli.user',
      claims: {},
    });
    expect(created.stdout).not.toContain('a long enough password');
    expect((await idp(['users', 'get', 'cli-user'], env)).stdout).toContain(
      '"username": "cli.user"',
    );
    expect((await idp(['users', 'list', '--embedded'], env)).stdout).toMatch(
      /\ncli-user +cli\.user\n/,
    );
    expect((await idp(['users', 'unlock', 'cli-user'], env)).stdout).toBe(
      'user cli-user was not locked\n',
    );
    expect((await idp(['users', 'delete', 'cli-user'], env)).code).toBe(0);
    expect((await idp(['users', 'list', '--embedded'], env)).stdout).not.toContain('cli-user');
  });

  it('sessions end and back-channel dead letters', async () => {
    expect(await idp(['sessions', 'end', 'no-such-sid'], env)).toEqual({
      code: 0,
      stdout: 'no live session no-such-sid\n',
      stderr: '',
    });
    const dead = await idp(['backchannel', 'dead-letters', 'list', '--json'], env);
    expect(dead).toEqual({ code: 0, stdout: '[]\n', stderr: '' });
    const retry = await idp(['backchannel', 'dead-letters', 'retry', 'no-sid/no-client'], env);
    expect(retry.code).toBe(1);
    expect(retry.stderr).toBe(
      'idp backchannel dead-letters retry: POST /admin/backchannel/dead-letters/no-sid/no-client/retry: ' +
        '404 invalid_request: no back-channel logout delivery for this sid and client_id\n',
    );
  });
});
