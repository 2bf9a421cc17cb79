import { Body, Controller, Get, Module, Param, Post } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  InvalidClient,
  InvalidGrant,
  OAuthError,
  renderOAuthError,
  type HttpResponse,
} from '@idp/oauth-errors';
import { createHttpApp } from './create-http-app';
import { RenderErrorsWith, safeDescription } from './oauth-exception.filter';

/** A route-level renderer, as auth-api's HTML pages use it. */
function page(err: unknown): HttpResponse {
  const rendered = renderOAuthError(err);
  return {
    status: rendered.status,
    headers: { 'Content-Type': 'text/html; charset=utf-8' },
    body: `<p>${rendered.body.error}: ${rendered.body.error_description ?? ''}</p>`,
  };
}

@Controller()
class ThrowingController {
  @Get('grant')
  grant(): never {
    throw new InvalidGrant('authorization code was already used');
  }

  @Get('client')
  client(): never {
    throw new InvalidClient();
  }

  @Get('boom')
  boom(): never {
    throw new Error('connect ECONNREFUSED 10.1.2.3:5432');
  }

  @Post('echo')
  echo(@Body() body: unknown): unknown {
    return body;
  }

  @Get('echoed/:value')
  echoed(@Param('value') value: string): never {
    throw new OAuthError('unsupported_grant_type', {
      description: `"${value}" \\ is not supported`,
    });
  }

  @Post('page')
  @RenderErrorsWith(page)
  pageEcho(@Body() body: unknown): unknown {
    return body;
  }

  @Get('page/boom')
  @RenderErrorsWith(page)
  pageBoom(): never {
    throw new Error('connect ECONNREFUSED 10.1.2.3:5432');
  }

  @Get('page/broken')
  @RenderErrorsWith(() => {
    throw new Error('renderer bug');
  })
  brokenRenderer(): never {
    throw new InvalidGrant('x');
  }
}

@Module({ controllers: [ThrowingController] })
class TestModule {}

describe('OAuthExceptionFilter (every HTTP error leaves as OAuth JSON)', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createHttpApp(TestModule, { logLevel: 'error', bodyLimit: 1024 });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(() => app.close());

  const inject = (opts: Parameters<NestFastifyApplication['inject']>[0]) =>
    app.inject(opts as never);

  it('renders an OAuth error with its status and no-store', async () => {
    const res = await inject({ method: 'GET', url: '/grant' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: 'invalid_grant',
      error_description: 'authorization code was already used',
    });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('keeps the WWW-Authenticate challenge of invalid_client', async () => {
    const res = await inject({ method: 'GET', url: '/client' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Basic realm="idp"');
  });

  it('turns an unexpected failure into a generic server_error that leaks nothing', async () => {
    const res = await inject({ method: 'GET', url: '/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({
      error: 'server_error',
      error_description: 'an unexpected error occurred',
    });
    expect(res.body).not.toMatch(/ECONNREFUSED|10\.1\.2\.3|at /);
  });

  it('answers malformed JSON with invalid_request, not 500', async () => {
    const res = await inject({
      method: 'POST',
      url: '/echo',
      payload: '{"a":',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: 'invalid_request',
      error_description: 'malformed request',
    });
  });

  it('answers an unsupported content type with 415 invalid_request', async () => {
    const res = await inject({
      method: 'POST',
      url: '/echo',
      payload: 'x',
      headers: { 'content-type': 'application/x-weird' },
    });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toEqual({
      error: 'invalid_request',
      error_description: 'unsupported content type',
    });
  });

  it('refuses an oversized body with 413 before parsing it', async () => {
    const res = await inject({
      method: 'POST',
      url: '/echo',
      payload: JSON.stringify({ a: 'x'.repeat(4096) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({
      error: 'invalid_request',
      error_description: 'request body too large',
    });
  });

  it('answers unknown routes with 404 in the same shape', async () => {
    const res = await inject({ method: 'GET', url: '/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'invalid_request', error_description: 'not found' });
  });

  it('answers a path that is not valid percent-encoding in the OAuth shape, without repeating it', async () => {
    const res = await inject({ method: 'GET', url: '/echoed/%ff' });
    expect(res.statusCode).toBe(400);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toEqual({
      error: 'invalid_request',
      error_description: 'malformed request',
    });
  });

  it('answers an over-long path parameter with 414 in the OAuth shape, without repeating it', async () => {
    const res = await inject({ method: 'GET', url: `/echoed/${'a'.repeat(500)}` });
    expect(res.statusCode).toBe(414);
    expect(res.json()).toEqual({
      error: 'invalid_request',
      error_description: 'request URI too long',
    });
  });

  it('keeps error_description within the RFC 6749 5.2 character set', async () => {
    const res = await inject({ method: 'GET', url: '/echoed/a%00%C3%A9b' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: 'unsupported_grant_type',
      error_description: '?a??b? ? is not supported',
    });
    expect(safeDescription('ok: [a-z] {x} ~')).toBe('ok: [a-z] {x} ~');
  });

  it('lets a route render its own errors, also the ones raised before the handler', async () => {
    const tooLarge = await inject({
      method: 'POST',
      url: '/page',
      payload: JSON.stringify({ a: 'x'.repeat(4096) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.headers['content-type']).toMatch(/^text\/html/);
    expect(tooLarge.body).toBe('<p>invalid_request: request body too large</p>');

    const boom = await inject({ method: 'GET', url: '/page/boom' });
    expect(boom.statusCode).toBe(500);
    expect(boom.body).toBe('<p>server_error: an unexpected error occurred</p>');
  });

  it('falls back to JSON when a route renderer fails', async () => {
    const res = await inject({ method: 'GET', url: '/page/broken' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'invalid_grant', error_description: 'x' });
  });
});
