import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { outboundPolicy } from '@idp/domain';
import { createOutboundClient } from '@idp/outbound';
import { httpLogoutTokenPoster } from './logout-token-poster';

const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';

/** One local RP whose behaviour each test sets. */
describe('httpLogoutTokenPoster', () => {
  let server: Server;
  let base: string;
  let behave: (req: IncomingMessage, res: ServerResponse, body: string) => void;
  const received: { method?: string | undefined; type?: string | undefined; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ method: req.method, type: req.headers['content-type'], body });
        behave(req, res, body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise((r) => server.close(r));
  });
  beforeEach(() => (received.length = 0));

  // As `npm start` and the test suites run: ISSUER on loopback, so loopback RPs are allowed.
  const outbound = createOutboundClient({
    policy: outboundPolicy({ allow: [], issuer: 'http://127.0.0.1:3000' }),
    timeoutMs: 5_000,
    connectTimeoutMs: 1_000,
    maxResponseBytes: 1024 * 1024,
  });
  afterAll(() => outbound.close());
  const post = httpLogoutTokenPoster(outbound, { timeoutMs: 300 });

  it('POSTs the token as a form and takes any 2xx as delivered', async () => {
    behave = (_req, res) => res.writeHead(204).end();
    expect(await post(`${base}/rp/logout`, TOKEN)).toEqual({ ok: true, status: 204 });
    expect(received).toEqual([
      {
        method: 'POST',
        type: 'application/x-www-form-urlencoded',
        body: `logout_token=${TOKEN}`,
      },
    ]);
    behave = (_req, res) =>
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'.repeat(1e5));
    expect(await post(`${base}/rp/logout`, TOKEN)).toEqual({ ok: true, status: 200 });
  });

  it('does not follow a redirect: a 3xx is a failure, and the target is never called', async () => {
    behave = (req, res) =>
      req.url === '/elsewhere'
        ? res.writeHead(200).end()
        : res.writeHead(302, { location: `${base}/elsewhere` }).end();
    expect(await post(`${base}/rp/logout`, TOKEN)).toEqual({
      ok: false,
      error: 'HTTP 302 (redirects are not followed)',
    });
    expect(received).toHaveLength(1);
  });

  it('reports an error status, a hanging RP and a refused connection, never the token', async () => {
    behave = (_req, res) => res.writeHead(503).end();
    expect(await post(`${base}/rp/logout`, TOKEN)).toEqual({ ok: false, error: 'HTTP 503' });

    behave = () => undefined; // never answers
    const started = Date.now();
    const hung = await post(`${base}/rp/logout`, TOKEN);
    expect(hung).toEqual({ ok: false, error: 'timeout after 300 ms' });
    expect(Date.now() - started).toBeLessThan(2_000);

    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const refused = await post(`http://127.0.0.1:${port}/logout`, TOKEN);
    expect(refused).toEqual({ ok: false, error: 'ECONNREFUSED' });

    for (const r of [hung, refused]) expect(JSON.stringify(r)).not.toContain(TOKEN);
    expect(await post('not a uri', TOKEN)).toEqual({
      ok: false,
      error: 'invalid backchannel_logout_uri',
      permanent: true,
    });
  });

  it('refuses an internal target without connecting: a permanent failure that says why', async () => {
    expect(await post('https://169.254.169.254/latest/meta-data', TOKEN)).toEqual({
      ok: false,
      error:
        'refused by the outbound policy (OUTBOUND_ALLOW): 169.254.169.254 is a link-local address (169.254.0.0/16)',
      permanent: true,
    });
    expect(received).toHaveLength(0);
  });
});
