import {
  createServer as createNetServer,
  type AddressInfo,
  type Server as NetServer,
  type Socket,
} from 'node:net';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { outboundPolicy } from '@idp/domain';
import type { ResolvedAddress, Resolver } from './guarded-lookup';
import {
  createOutboundClient,
  type OutboundClient,
  type OutboundClientOptions,
} from './outbound-client';
import { OutboundError } from './outbound-error';

/** A local RP on one loopback address, counting what reaches it. */
class LocalServer {
  readonly requests: string[] = [];
  connections = 0;
  behave: (req: IncomingMessage, res: ServerResponse) => void = (_q, r) => r.end('ok');
  private readonly server: Server = createServer((req, res) => {
    this.requests.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => this.behave(req, res));
  });

  constructor() {
    this.server.on('connection', () => this.connections++);
  }

  async listen(host: string, port = 0): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, resolve);
    });
    return (this.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}

/** What a call failed with. */
async function failure(
  p: Promise<unknown>,
): Promise<{ reason: string; message: string; permanent: boolean }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof OutboundError)
      return { reason: e.reason, message: e.message, permanent: e.permanent };
    throw e;
  }
  throw new Error('expected the call to fail');
}

/** A production issuer: nothing internal is allowed unless OUTBOUND_ALLOW says so. */
const strict = (allow: string[] = []) => outboundPolicy({ allow, issuer: 'https://idp.example' });

describe('createOutboundClient', () => {
  const rp = new LocalServer();
  const inside = new LocalServer();
  let port: number;
  let client: OutboundClient | undefined;

  beforeAll(async () => {
    port = await rp.listen('127.0.0.1');
    // Same port on another loopback address: where a rebinding attack would send us.
    await inside.listen('127.0.0.2', port);
  });
  afterAll(async () => {
    await rp.close();
    await inside.close();
  });
  beforeEach(() => {
    rp.requests.length = 0;
    inside.requests.length = 0;
    rp.connections = 0;
    inside.connections = 0;
    rp.behave = (_q, r) => r.end('ok');
  });
  afterEach(() => client?.close());

  const make = (o: Partial<OutboundClientOptions> = {}) => {
    client = createOutboundClient({
      policy: strict(['127.0.0.1']),
      timeoutMs: 1_000,
      connectTimeoutMs: 500,
      maxResponseBytes: 1_000,
      ...o,
    });
    return client;
  };

  it.each([
    [
      'https://169.254.169.254/latest/meta-data',
      '169.254.169.254 is a link-local address (169.254.0.0/16)',
    ],
    ['http://127.0.0.2:6379/', '127.0.0.2 is a loopback address (127.0.0.0/8)'],
    [
      'https://kubernetes.default.svc/api',
      'kubernetes.default.svc is a cluster-internal service name (*.svc)',
    ],
    ['http://[::ffff:127.0.0.2]:6379/', '[::ffff:7f00:2] is a loopback address (127.0.0.0/8)'],
    ['http://0.0.0.0:6379/', '0.0.0.0 is an unspecified ("this network") address (0.0.0.0/8)'],
  ])('refuses %s before any connection, permanently', async (url, message) => {
    const resolve = jest.fn<ReturnType<Resolver>, Parameters<Resolver>>();
    expect(await failure(make({ resolve }).request(url))).toEqual({
      reason: 'refused',
      message,
      permanent: true,
    });
    expect(resolve).not.toHaveBeenCalled();
    expect(inside.connections).toBe(0);
  });

  it('calls an allowed address and reuses the connection (keep-alive)', async () => {
    const c = make();
    const first = await c.request(`http://127.0.0.1:${port}/a`);
    expect(first.status).toBe(200);
    expect(first.body.toString()).toBe('ok');
    await c.request(`http://127.0.0.1:${port}/b`, { method: 'POST', body: 'x=1' });
    expect(rp.requests).toEqual(['GET /a', 'POST /b']);
    expect(rp.connections).toBe(1);
  });

  it('allows loopback without an allow-list when the issuer itself is on loopback', async () => {
    const c = make({ policy: outboundPolicy({ allow: [], issuer: 'http://127.0.0.1:3000' }) });
    expect((await c.request(`http://127.0.0.1:${port}/`)).status).toBe(200);
    expect(await failure(c.request('https://169.254.169.254/'))).toMatchObject({
      reason: 'refused',
    });
  });

  it('connects only to the address it checked: a name that later resolves inside is refused, never called', async () => {
    const answers: ResolvedAddress[][] = [
      [{ address: '127.0.0.1', family: 4 }], // public (allow-listed) first…
      [{ address: '127.0.0.2', family: 4 }], // …then the internal one (DNS rebinding)
    ];
    const resolve = jest.fn(async () => answers.shift() ?? []);
    const c = make({ resolve, dnsCacheMs: 0 });
    const url = `http://rp.test:${port}/bcl`;
    // `connection: close`, so the second call needs a new connection and a new lookup.
    expect((await c.request(url, { headers: { connection: 'close' } })).status).toBe(200);
    expect(await failure(c.request(url, { headers: { connection: 'close' } }))).toEqual({
      reason: 'refused',
      message: 'rp.test resolves to 127.0.0.2, a loopback address (127.0.0.0/8)',
      permanent: true,
    });
    expect(resolve).toHaveBeenCalledTimes(2);
    expect(rp.requests).toEqual(['GET /bcl']);
    expect(inside.connections).toBe(0);
  });

  it('refuses a name when any of its addresses is refused, and connects to none of them', async () => {
    const resolve = jest.fn(async () => [
      { address: '127.0.0.1', family: 4 },
      { address: '127.0.0.2', family: 4 },
    ]);
    expect(await failure(make({ resolve }).request(`http://rp.test:${port}/`))).toMatchObject({
      reason: 'refused',
      message: 'rp.test resolves to 127.0.0.2, a loopback address (127.0.0.0/8)',
    });
    expect(rp.connections).toBe(0);
    expect(inside.connections).toBe(0);
  });

  it('resolves a name once per cache period and re-checks the cached addresses', async () => {
    const resolve = jest.fn(async () => [{ address: '127.0.0.1', family: 4 }]);
    const c = make({ resolve, dnsCacheMs: 60_000 });
    for (let i = 0; i < 3; i++)
      await c.request(`http://rp.test:${port}/${i}`, { headers: { connection: 'close' } });
    expect(resolve).toHaveBeenCalledTimes(1);
    expect(rp.connections).toBe(3);
  });

  it('an allow-listed name may resolve to an internal address', async () => {
    const resolve = jest.fn(async () => [{ address: '127.0.0.2', family: 4 }]);
    const c = make({ resolve, policy: strict(['rp.internal']) });
    expect((await c.request(`http://rp.internal:${port}/`)).status).toBe(200);
    expect(inside.requests).toEqual(['GET /']);
  });

  it('does not follow redirects: a 3xx is a failure and the target is never called', async () => {
    rp.behave = (req, res) =>
      req.url === '/elsewhere'
        ? res.end('followed')
        : res.writeHead(302, { location: `http://127.0.0.1:${port}/elsewhere` }).end();
    expect(await failure(make().request(`http://127.0.0.1:${port}/start`))).toEqual({
      reason: 'redirect',
      message: 'HTTP 302 (redirects are not followed)',
      permanent: false,
    });
    expect(rp.requests).toEqual(['GET /start']);
  });

  it('caps the response size, announced or streamed', async () => {
    const c = make({ maxResponseBytes: 1_000 });
    rp.behave = (_q, res) => res.end('x'.repeat(1_000));
    expect((await c.request(`http://127.0.0.1:${port}/`)).body).toHaveLength(1_000);
    rp.behave = (_q, res) => res.end('x'.repeat(1_001));
    expect(await failure(c.request(`http://127.0.0.1:${port}/`))).toMatchObject({
      reason: 'too_large',
      message: 'response larger than 1000 bytes',
    });
    // No content-length: chunks that add up past the cap, and a stream that never ends.
    rp.behave = (_q, res) => {
      res.writeHead(200);
      const timer = setInterval(() => res.write('y'.repeat(400)), 5);
      res.on('close', () => clearInterval(timer));
    };
    const started = Date.now();
    expect(
      await failure(c.request(`http://127.0.0.1:${port}/`, { discardBody: true })),
    ).toMatchObject({
      reason: 'too_large',
    });
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('gives up at the deadline when the server never answers', async () => {
    rp.behave = () => undefined;
    const started = Date.now();
    expect(await failure(make().request(`http://127.0.0.1:${port}/`, { timeoutMs: 200 }))).toEqual({
      reason: 'timeout',
      message: 'timeout after 200 ms',
      permanent: false,
    });
    expect(Date.now() - started).toBeLessThan(900);
  });

  describe('connect deadline', () => {
    let silent: NetServer;
    let silentPort: number;
    const sockets: Socket[] = [];
    beforeAll(async () => {
      // Accepts TCP and never answers the TLS handshake.
      silent = createNetServer((socket) => sockets.push(socket));
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
      silentPort = (silent.address() as AddressInfo).port;
    });
    afterAll(() => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => silent.close(r));
    });

    it('covers the TLS handshake, and fires before the total deadline', async () => {
      const started = Date.now();
      expect(
        await failure(
          make({ connectTimeoutMs: 150, timeoutMs: 2_000 }).request(
            `https://127.0.0.1:${silentPort}/`,
          ),
        ),
      ).toEqual({ reason: 'timeout', message: 'connect timeout after 150 ms', permanent: false });
      expect(Date.now() - started).toBeLessThan(1_000);
    });
  });

  it('reports a refused connection and a bad URL without the request in the message', async () => {
    const closed = new LocalServer();
    const closedPort = await closed.listen('127.0.0.1');
    await closed.close();
    expect(await failure(make().request(`http://127.0.0.1:${closedPort}/?token=secret`))).toEqual({
      reason: 'network',
      message: 'ECONNREFUSED',
      permanent: false,
    });
    expect(await failure(make().request('not a url'))).toMatchObject({
      reason: 'invalid_url',
      permanent: true,
    });
    expect(await failure(make().request('file:///etc/passwd'))).toMatchObject({
      reason: 'invalid_url',
    });
  });
});
