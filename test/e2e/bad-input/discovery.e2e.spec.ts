import {
  badInputProvider,
  expectJsonError,
  expectNoLeak,
  ONE_MB,
  rawRequest,
  send,
  sendRaw,
} from './bad-input.support';

/**
 * Discovery, JWKS, health and metrics take no parameters: whatever a client
 * adds is ignored, and the document stays the same. Unknown methods and
 * paths, and what the HTTP layer itself refuses (a path that is not valid
 * percent-encoding, non-ASCII bytes on the request line, an over-long path
 * parameter, a 1 MB URL or header), are 4xx in the OAuth JSON shape and never
 * repeat the request.
 */
describe('bad input: discovery, JWKS, health, metrics and the HTTP layer', () => {
  const { provider, writesNothing } = badInputProvider();
  const base = () => provider().base;
  const adminBase = () => provider().adminBase;

  it.each([['/.well-known/openid-configuration'], ['/jwks']])(
    '%s ignores repeated, malformed and unknown query parameters',
    async (path) => {
      await writesNothing(async () => {
        const clean = await send(base(), path);
        expect(clean.status).toBe(200);
        for (const query of [
          '?a=1&a=2',
          '?%00=%00',
          '?x=%ff%fe',
          `?x=${'a'.repeat(8000)}`,
          '?__proto__[x]=1&constructor=1',
        ]) {
          const res = await send(base(), `${path}${query}`);
          expect(res.status).toBe(200);
          expect(res.text).toBe(clean.text);
        }
      });
    },
  );

  it('discovery names the issuer exactly, whatever the Host header says', async () => {
    await writesNothing(async () => {
      const res = await send(base(), '/.well-known/openid-configuration', {
        headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example' },
      });
      expect(res.status).toBe(200);
      expect(JSON.parse(res.text)).toMatchObject({ issuer: base(), jwks_uri: `${base()}/jwks` });
      expect(res.text).not.toContain('evil.example');
    });
  });

  it.each([
    ['GET', '/.well-known/openid-configuration%00'],
    ['GET', '/nope'],
    ['POST', '/nope'],
  ])('%s %s is 404 invalid_request', async (method, path) => {
    await writesNothing(async () => {
      expectJsonError(await send(base(), path, { method }), 404, 'invalid_request', {
        description: 'not found',
      });
    });
  });

  // RFC 9110 15.5.6: a path that exists with other methods (issue #13, defect 7).
  it.each([
    ['POST', '/.well-known/openid-configuration', 'GET, HEAD'],
    ['PUT', '/jwks', 'GET, HEAD'],
    ['DELETE', '/jwks', 'GET, HEAD'],
    ['GET', '/token', 'POST'],
    ['GET', '/revoke', 'POST'],
    ['GET', '/introspect', 'POST'],
    ['PUT', '/token?x=1', 'POST'],
  ])('%s %s is 405 with Allow: %s', async (method, path, allow) => {
    await writesNothing(async () => {
      const res = await send(base(), path, { method });
      expectJsonError(res, 405, 'invalid_request', { description: 'method not allowed' });
      expect(res.headers.get('allow')).toBe(allow);
    });
  });

  // The admin listener's routes (ADR 0017): 405 there, and 404 (no Allow) on the public port.
  it.each([
    ['POST', '/health/live', 'GET, HEAD'],
    ['POST', '/metrics', 'GET, HEAD'],
  ])('%s %s is 405 with Allow: %s on the admin port only', async (method, path, allow) => {
    await writesNothing(async () => {
      const res = await send(adminBase(), path, { method });
      expectJsonError(res, 405, 'invalid_request', { description: 'method not allowed' });
      expect(res.headers.get('allow')).toBe(allow);
      const outside = await send(base(), path, { method });
      expectJsonError(outside, 404, 'invalid_request', { description: 'not found' });
      expect(outside.headers.get('allow')).toBeNull();
    });
  });

  it('refuses a 1 MB body to a route without a body before reading it', async () => {
    await writesNothing(async () => {
      const res = await send(base(), '/.well-known/openid-configuration', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ a: 'x'.repeat(ONE_MB) }),
      });
      expect([405, 413]).toContain(res.status);
      expectJsonError(res, res.status, 'invalid_request');
    });
  });

  it.each([['/%ff'], ['/interaction/%ff'], ['/authorize/%zz'], ['/%']])(
    'answers the path %s (not valid percent-encoding) with 400 and without repeating it',
    async (path) => {
      await writesNothing(async () => {
        const res = await send(base(), path);
        expectJsonError(res, 400, 'invalid_request', { description: 'malformed request' });
        expect(res.text).not.toContain(path);
      });
    },
  );

  it('answers an over-long path parameter with 414 and without repeating it', async () => {
    await writesNothing(async () => {
      const res = await send(base(), `/interaction/${'a'.repeat(5000)}`);
      expectJsonError(res, 414, 'invalid_request', { description: 'request URI too long' });
      expect(res.text).not.toContain('aaaa');
    });
  });

  it.each([
    ['non-ASCII bytes in the path', Buffer.from([0x2f, 0x6a, 0x77, 0x6b, 0x73, 0xff, 0xfe])],
    ['a NUL byte in the query', Buffer.from('/jwks?a=\x00', 'latin1')],
  ])('answers %s on the request line with 400 invalid_request', async (_, target) => {
    await writesNothing(async () => {
      const res = await sendRaw(
        base(),
        rawRequest(Buffer.concat([Buffer.from('GET '), target, Buffer.from(' HTTP/1.1')])),
      );
      expectJsonError(res, 400, 'invalid_request', { description: 'malformed request' });
    });
  });

  it('answers a request that is not HTTP with 400', async () => {
    await writesNothing(async () => {
      const res = await sendRaw(base(), Buffer.from('HELLO\r\n\r\n'));
      expectJsonError(res, 400, 'invalid_request');
    });
  });

  it.each([
    ['a 1 MB URL', `GET /jwks?x=${'a'.repeat(ONE_MB)} HTTP/1.1`, []],
    [
      'a 1 MB header',
      'GET /.well-known/openid-configuration HTTP/1.1',
      [`X-Padding: ${'a'.repeat(ONE_MB)}`],
    ],
  ])('answers %s with 431 before reading it all', async (_, line, headers) => {
    await writesNothing(async () => {
      const res = await sendRaw(base(), rawRequest(line, headers));
      expectJsonError(res, 431, 'invalid_request', {
        description: 'request header fields too large',
      });
    });
  });

  it('serves health and metrics whatever the query says', async () => {
    await writesNothing(async () => {
      for (const path of ['/health/live', '/health/ready', '/metrics']) {
        const res = await send(adminBase(), `${path}?a=1&a=2&%00=%ff`);
        expect(res.status).toBe(200);
        expectNoLeak(res);
      }
    });
  });
});
