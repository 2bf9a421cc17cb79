import { randomUUID } from '@idp/crypto';
import { writeFileSync } from 'node:fs';
import * as oidc from 'openid-client';
import { introspect, revoke } from '../introspection/introspection.fixtures';
import {
  bearer,
  RP,
  RP_LOGGED_OUT,
  signIn,
  writeLogoutSeed,
  type Rp,
} from '../logout/logout.fixtures';
import { ALICE, REDIRECT_URI } from '../oidc/seed';
import { startDistributedStack, type DistributedStack } from '../support/distributed-stack';
import { discover, rpFor, type ServerMetadata } from '../support/rp';
import { freePort, waitFor, type ServiceProcess } from '../support/service-process';
import { codeFlow, HeaderRecordingRps, jsonLines, RecordingBrowser } from './logs.support';

jest.setTimeout(180_000);

const ADMIN_TOKEN = 'e2e-logs-admin-token-0123456789abcdef-0123';
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

/**
 * Issue #14 in the distributed mode: one request id follows a logout from
 * auth-api through gRPC, the event log and Kafka to session-service,
 * token-service and the back-channel POST; and a whole OAuth flow at
 * LOG_LEVEL=trace leaves no token, code, secret, password or cookie value in
 * any process' output.
 */
describe('logs (distributed mode)', () => {
  let stack: DistributedStack;
  let base = '';
  let issuer: ServerMetadata;
  const rps = new HeaderRecordingRps();

  beforeAll(async () => {
    await rps.listen();
    const authPort = await freePort();
    base = `http://127.0.0.1:${authPort}`;
    stack = await startDistributedStack({
      name: 'logs',
      issuer: base,
      authPort,
      seedFile: writeLogoutSeed((clientId) => rps.uriOf(clientId)),
      env: { ADMIN_TOKEN, LOG_LEVEL: 'trace', LOG_FORMAT: 'json' },
    });
    issuer = await discover(base);
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
    await rps.close();
  });

  const client = (rp: Rp) =>
    rpFor(issuer, {
      client_id: rp.id,
      client_secret: rp.secret,
      redirect_uris: [REDIRECT_URI],
    });
  const processes = (): [string, ServiceProcess][] => [
    ['auth-api', stack.auth],
    ['token-service', stack.token],
    ['session-service', stack.session],
    ...stack.introspection.map((p, i): [string, ServiceProcess] => [
      `introspection-service#${i}`,
      p,
    ]),
  ];
  const joined = (sid: string, clientId: string) =>
    waitFor(`${clientId} joined ${sid}`, async () => {
      const res = await fetch(`${stack.auth.adminUrl}/admin/sessions/${sid}`, {
        headers: bearer(ADMIN_TOKEN),
      });
      return (
        res.status === 200 &&
        ((await res.json()) as { clientIds: string[] }).clientIds.includes(clientId)
      );
    });
  const logout = (
    browser: RecordingBrowser,
    idToken: string,
    headers: Record<string, string> = {},
  ) =>
    browser.fetch(
      `${base}/logout?${new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: RP_LOGGED_OUT })}`,
      { headers },
    );

  it('(a) one X-Request-Id follows a logout through auth-api, session-service, token-service and the back-channel POST', async () => {
    const browser = new RecordingBrowser();
    const tokens = await signIn(browser, base, client(RP.a));
    const sid = tokens.claims().sid as string;
    await joined(sid, RP.a.id);

    const requestId = `logout-${randomUUID()}`;
    const res = await logout(browser, tokens.id_token!, {
      'X-Request-Id': requestId,
      traceparent: TRACEPARENT,
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('x-request-id')).toBe(requestId);

    const lineOf = (process: ServiceProcess, match: (l: Record<string, unknown>) => boolean) =>
      jsonLines(process.allLogs()).find((l) => l['request_id'] === requestId && match(l));
    const found = await waitFor(
      `request ${requestId} in every service's logs`,
      async () => {
        const access = lineOf(stack.auth, (l) => l['log'] === 'access' && l['route'] === '/logout');
        const token = lineOf(stack.token, () => true);
        const session = lineOf(stack.session, () => true);
        const delivery = lineOf(stack.session, (l) => l['msg'] === 'back-channel logout delivered');
        return access && token && session && delivery
          ? { access, token, session, delivery }
          : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(found.access).toMatchObject({
      service: 'auth-api',
      method: 'GET',
      status: 303,
      trace_id: TRACE_ID,
    });
    expect(found.token).toMatchObject({ service: 'token-service', trace_id: TRACE_ID });
    expect(found.session).toMatchObject({ service: 'session-service', trace_id: TRACE_ID });
    expect(found.delivery).toMatchObject({ client_id: RP.a.id, level: 'info', trace_id: TRACE_ID });
    for (const l of Object.values(found)) expect(typeof l['time']).toBe('string');
    // LOGS_SAMPLE=<file>: every line of this logout, for docs/operations/logs.md.
    if (process.env['LOGS_SAMPLE'] !== undefined)
      writeFileSync(
        process.env['LOGS_SAMPLE'],
        processes()
          .flatMap(([, p]) => jsonLines(p.allLogs()).filter((l) => l['request_id'] === requestId))
          .sort((x, y) => String(x['time']).localeCompare(String(y['time'])))
          .map((l) => JSON.stringify(l))
          .join('\n'),
      );
    // The RP is told the trace of the logout that caused its back-channel POST.
    const post = rps.posts.find((p) => p.clientId === RP.a.id);
    expect(String(post?.headers['traceparent'])).toMatch(
      new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-[0-9a-f]{2}$`),
    );
  });

  it('(b) a whole flow at LOG_LEVEL=trace leaves no token, code, secret, password or cookie value in any log', async () => {
    const browser = new RecordingBrowser();
    const rp = client(RP.a);
    const { tokens, code, codeVerifier } = await codeFlow(browser, base, rp);
    const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token!);
    const introspected = await introspect(
      stack.introspection[0]!.url,
      refreshed.access_token!,
      RP.a,
    );
    expect(introspected.body['active']).toBe(true);
    const userinfo = await fetch(`${base}/userinfo`, { headers: bearer(refreshed.access_token!) });
    expect(userinfo.status).toBe(200);
    expect(await revoke(base, refreshed.refresh_token!, RP.a)).toBe(200);
    await joined(refreshed.claims()!.sid as string, RP.a.id);
    expect((await logout(browser, refreshed.id_token!)).status).toBe(303);

    const secrets: [string, string][] = [
      ['authorization code', code],
      ['PKCE code_verifier', codeVerifier],
      ['client secret', RP.a.secret],
      ['password', ALICE.password],
      ...[tokens, refreshed].flatMap((t, i): [string, string][] => [
        [`access token #${i}`, t.access_token!],
        [`refresh token #${i}`, t.refresh_token!],
        [`ID token #${i}`, t.id_token!],
      ]),
      ...[...browser.cookieValues].map((v, i): [string, string] => [`cookie value #${i}`, v]),
    ];
    expect(browser.cookieValues.size).toBeGreaterThan(0);
    // Let the asynchronous consumers (session joins, logout revocations, deliveries) log too.
    await waitFor('the back-channel POST of the second logout', async () => rps.posts.length >= 2);
    await new Promise((r) => setTimeout(r, 1_000));
    const leaks: string[] = [];
    for (const [name, process] of processes()) {
      const output = process.allLogs();
      expect(jsonLines(output).length).toBeGreaterThan(0);
      for (const [what, value] of secrets)
        if (output.includes(value)) leaks.push(`${what} in ${name}`);
    }
    expect(leaks).toEqual([]);
  });
});
