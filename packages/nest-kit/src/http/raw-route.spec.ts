import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeFormBody } from './params/body-policy';
import { installRawRoute, readFormBody, sendRaw } from './raw-route';

const decodeForm = (body: string) => decodeFormBody(Buffer.from(body));
import { type OAuthError } from '@idp/oauth-errors';

/** A raw HTTP/1.1 exchange, so chunked bodies and lying Content-Lengths can be sent. */
function send(
  port: number,
  options: { method: string; path: string; body?: string | undefined; chunked?: boolean },
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        port,
        host: '127.0.0.1',
        method: options.method,
        path: options.path,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(options.chunked ? { 'transfer-encoding': 'chunked' } : {}),
        },
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

describe('installRawRoute', () => {
  let server: Server;
  let port: number;
  const framework = jest.fn();

  beforeAll(async () => {
    server = createServer((req, res) => {
      framework(req.method, req.url);
      res.end('framework');
    });
    installRawRoute(server, {
      method: 'POST',
      path: '/fast',
      handle: (req, res) => {
        readFormBody(req, 1024).then(
          (params) => sendRaw(res, 200, {}, { params }),
          (err: OAuthError) => sendRaw(res, err.status, {}, { error: err.error }),
        );
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => framework.mockClear());

  it('serves its method and path itself, with or without a query string', async () => {
    for (const path of ['/fast', '/fast?x=1']) {
      const res = await send(port, { method: 'POST', path, body: 'a=1&b=2&a=3' });
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toEqual({ params: { a: ['1', '3'], b: '2' } });
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(framework).not.toHaveBeenCalled();
  });

  it('answers another method on its path with 405 and Allow, in the OAuth shape', async () => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const res = await send(port, { method, path: '/fast?x=1' });
      expect(res.status).toBe(405);
      expect(res.headers['allow']).toBe('POST');
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(JSON.parse(res.body)).toEqual({
        error: 'invalid_request',
        error_description: 'method not allowed',
      });
    }
    expect(framework).not.toHaveBeenCalled();
  });

  it('hands every other request to the framework unchanged', async () => {
    for (const [method, path] of [
      ['POST', '/fastest'],
      ['POST', '/fast/x'],
      ['POST', '/other'],
    ] as const) {
      const res = await send(port, { method, path, body: method === 'POST' ? 'a=1' : undefined });
      expect(res.body).toBe('framework');
    }
    expect(framework.mock.calls).toEqual([
      ['POST', '/fastest'],
      ['POST', '/fast/x'],
      ['POST', '/other'],
    ]);
  });

  it('refuses a body over the limit with 413 and closes the connection, declared or streamed', async () => {
    const big = `token=${'a'.repeat(4096)}`;
    for (const chunked of [false, true]) {
      const res = await send(port, { method: 'POST', path: '/fast', body: big, chunked });
      expect(res.status).toBe(413);
      expect(res.headers['connection']).toBe('close');
      // sendRaw writes the id in its one writeHead (no setHeader ahead of it): every answer has it.
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('refuses a server without a framework listener', () => {
    expect(() =>
      installRawRoute(createServer(), { method: 'POST', path: '/x', handle: () => undefined }),
    ).toThrow(/no request listener/);
  });
});

describe('decodeForm', () => {
  it('decodes as browsers encode, without a prototype to pollute', () => {
    const params = decodeForm('a=x+y%21&__proto__=p&constructor=c&empty=&%E2%82%AC=%E2%82%AC');
    expect(Object.entries(params)).toEqual([
      ['a', 'x y!'],
      ['__proto__', 'p'],
      ['constructor', 'c'],
      ['empty', ''],
      ['€', '€'],
    ]);
    // Nothing of Object.prototype behind it (paramRecord).
    expect('toString' in params).toBe(false);
    expect(Object.getPrototypeOf(Object.getPrototypeOf(params))).toBeNull();
  });

  it('an unencoded __proto__ parameter is an own property too', () => {
    const params = decodeForm('__proto__=p&token=t');
    expect(Object.keys(params)).toEqual(['__proto__', 'token']);
    expect(({} as Record<string, unknown>)['token']).toBeUndefined();
  });

  it('splits an unencoded body exactly as URLSearchParams would', () => {
    for (const body of ['token=abc.def_-x&hint=', '&&a=1&&b&c==2&a=3&', '=x&y', '']) {
      const expected: [string, string][] = [...new URLSearchParams(body)];
      const got = Object.entries(decodeForm(body)).flatMap(([k, v]) =>
        (Array.isArray(v) ? v : [v]).map((x) => [k, x] as [string, string]),
      );
      expect(got.sort()).toEqual(expected.sort());
    }
  });

  it('keeps malformed percent-encoding as text instead of failing', () => {
    expect({ ...decodeForm('a=%zz&b=%') }).toEqual({ a: '%zz', b: '%' });
  });
});
