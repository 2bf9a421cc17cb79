import { Agent, createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpDrain } from './http-drain';

interface Answer {
  readonly status: number;
  readonly connection: string | undefined;
  readonly body: string;
}

/** `/slow?ms=N` answers after N ms; `/hang` never answers; anything else at once. */
function slowServer(): Server {
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/hang') return;
    const ms = Number(url.searchParams.get('ms') ?? 0);
    setTimeout(() => res.end('ok'), ms);
  });
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

function get(port: number, path: string, agent: Agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res: IncomingMessage) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('HttpDrain', () => {
  let server: Server;
  let agent: Agent;
  let port: number;
  let drain: HttpDrain;

  beforeEach(async () => {
    server = slowServer();
    drain = new HttpDrain(server);
    port = await listen(server);
    agent = new Agent({ keepAlive: true, maxSockets: 4 });
  });

  afterEach(() => {
    agent.destroy();
    server.closeAllConnections();
    server.close();
  });

  it('answers the requests in flight, with Connection: close, then refuses new connections', async () => {
    const inFlight = get(port, '/slow?ms=150', agent);
    // The request is in flight once the server has it (a fixed wait is too short on a busy machine).
    while (drain.pending === 0) await new Promise((r) => setTimeout(r, 5));
    expect(drain.pending).toBe(1);
    const drained = drain.drain(Date.now() + 5_000);
    await expect(inFlight).resolves.toEqual({ status: 200, connection: 'close', body: 'ok' });
    await drained;
    expect(server.listening).toBe(false);
    await expect(get(port, '/', new Agent())).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('serves a request arriving on an open keep-alive connection during the drain', async () => {
    // Two connections open: one busy with a slow request, one idle in the pool.
    const first = get(port, '/slow?ms=200', agent);
    await get(port, '/', agent);
    await new Promise((r) => setTimeout(r, 20));
    const drained = drain.drain(Date.now() + 5_000);
    // The pool's idle socket is still open: the drain closes idle ones only once nothing is in flight.
    const during = await get(port, '/', agent);
    expect(during).toEqual({ status: 200, connection: 'close', body: 'ok' });
    await expect(first).resolves.toMatchObject({ status: 200, connection: 'close' });
    await drained;
  });

  it('keeps a connection used a moment ago: the client reusing it is answered, not reset', async () => {
    await get(port, '/', agent);
    const drained = drain.drain(Date.now() + 5_000);
    await new Promise((r) => setTimeout(r, 150));
    // Nothing is in flight, yet the pool's socket stays open for the client's next request.
    expect(Object.values(agent.freeSockets).flat()).toHaveLength(1);
    await expect(get(port, '/', agent)).resolves.toEqual({
      status: 200,
      connection: 'close',
      body: 'ok',
    });
    await drained;
  });

  it('closes idle keep-alive connections and resolves once every connection is gone', async () => {
    await get(port, '/', agent);
    const closed = new Promise<void>((resolve) => {
      const sockets = Object.values(agent.freeSockets).flat();
      expect(sockets).toHaveLength(1);
      sockets[0]!.once('close', () => resolve());
    });
    await drain.drain(Date.now() + 5_000);
    await closed;
    await new Promise<void>((resolve) =>
      server.getConnections((_e, n) => (expect(n).toBe(0), resolve())),
    );
  });

  it('gives up at the deadline on a request that never ends', async () => {
    void get(port, '/hang', agent).catch(() => undefined);
    while (drain.pending === 0) await new Promise((r) => setTimeout(r, 5));
    const started = Date.now();
    await drain.drain(Date.now() + 100);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(drain.pending).toBe(1);
  });
});
