import { Controller, Get, HttpCode, Module, Post, Req } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { createHttpApp } from '../create-http-app';
import { FormBody, FormBodySupport, StrictQuery } from './form-body.support';
import { formParams } from './form-params';

@Controller()
class EchoController {
  @Post('form')
  @HttpCode(200)
  @FormBody({ refuseQuery: true })
  form(@Req() request: FastifyRequest): unknown {
    return formParams(request);
  }

  @Post('optional')
  @HttpCode(200)
  @FormBody({ bodyOptional: true })
  optional(@Req() request: FastifyRequest): unknown {
    return { body: request.body ?? null };
  }

  @Get('page')
  @StrictQuery()
  page(@Req() request: FastifyRequest): unknown {
    return request.query;
  }

  @Get('lenient')
  lenient(): unknown {
    return { ok: true };
  }

  @Post('json')
  @HttpCode(200)
  json(@Req() request: FastifyRequest): unknown {
    return request.body;
  }
}

@Module({ controllers: [EchoController], providers: [FormBodySupport] })
class EchoModule {}

/** The body policy inside Nest and Fastify, as every form endpoint gets it (issue #13). */
describe('FormBodySupport and FormBody', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createHttpApp(EchoModule, { logLevel: 'error' });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(() => app.close());

  const post = (url: string, payload: string | Buffer, type?: string) =>
    app.inject({
      method: 'POST',
      url,
      headers: type === undefined ? {} : { 'content-type': type },
      payload,
    });
  const FORM = 'application/x-www-form-urlencoded';

  it('decodes a form with the shared decoder: repeats stay visible, so formParams refuses them', async () => {
    const ok = await post('/form', 'a=1&b=x+y&c=%E2%82%AC', FORM);
    expect({ status: ok.statusCode, body: ok.json() }).toEqual({
      status: 200,
      body: { a: '1', b: 'x y', c: '€' },
    });
    const repeated = await post('/form', 'a=1&a=2', FORM);
    expect(repeated.statusCode).toBe(400);
    expect(repeated.json()).toEqual({
      error: 'invalid_request',
      error_description: 'parameter a must not be repeated',
    });
  });

  it.each([
    ['a JSON body', '{"a":1}', 'application/json', 415],
    ['malformed JSON', '{"a":', 'application/json', 415],
    ['text/plain', 'a=1', 'text/plain', 415],
    ['multipart', '--x--', 'multipart/form-data; boundary=x', 415],
    ['a UTF-16 form', 'a=1', `${FORM}; charset=utf-16`, 400],
    ['a form that is not UTF-8', Buffer.from([0x61, 0x3d, 0xc0, 0xaf]), FORM, 400],
    ['an escape that is not UTF-8', 'a=%C0%AF', FORM, 400],
    ['a bracketed name', 'a=1&scope[x]=y', FORM, 400],
  ])('answers %s with %s in the OAuth shape', async (_, payload, type, status) => {
    const res = await post('/form', payload, type);
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('refuses query parameters on a POST whose policy says so', async () => {
    const res = await post('/form?a=1', 'b=2', FORM);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: 'invalid_request',
      error_description: 'parameters must be sent in the request body, not in the query string',
    });
  });

  it('lets a route take no body when its policy allows it', async () => {
    const res = await app.inject({ method: 'POST', url: '/optional' });
    expect({ status: res.statusCode, body: res.json() }).toEqual({
      status: 200,
      body: { body: null },
    });
  });

  it('refuses an invalid UTF-8 query where the route reads it, and leaves other routes alone', async () => {
    const page = await app.inject({ method: 'GET', url: '/page?state=%C0%AF' });
    expect(page.statusCode).toBe(400);
    expect(page.json()).toMatchObject({
      error_description: 'the query string is not valid percent-encoded UTF-8',
    });
    const lenient = await app.inject({ method: 'GET', url: '/lenient?state=%C0%AF' });
    expect(lenient.statusCode).toBe(200);
    const json = await post('/json', '{"a":1}', 'application/json');
    expect({ status: json.statusCode, body: json.json() }).toEqual({ status: 200, body: { a: 1 } });
  });

  it('answers a method a path does not have with 405 and Allow; an unknown path stays 404', async () => {
    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      const res = await app.inject({ method, url: '/form?x=1' });
      expect(res.statusCode).toBe(405);
      expect(res.headers['allow']).toBe('POST');
      expect(res.json()).toEqual({
        error: 'invalid_request',
        error_description: 'method not allowed',
      });
    }
    const page = await app.inject({ method: 'POST', url: '/page' });
    expect(page.statusCode).toBe(405);
    expect(page.headers['allow']).toBe('GET, HEAD');
    expect((await app.inject({ method: 'GET', url: '/nowhere' })).statusCode).toBe(404);
  });
});
