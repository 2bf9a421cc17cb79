import {
  Controller,
  Get,
  Injectable,
  Module,
  Param,
  Post,
  type OnModuleInit,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Server } from 'node:http';
import { Writable } from 'node:stream';
import { InvalidGrant } from '@idp/oauth-errors';
import { configureLogging, currentContext, setClientId } from '@idp/observability';
import { createHttpApp, listen } from './create-http-app';
import { installRawRoute, sendRaw } from './raw-route';

@Controller()
class Routes {
  @Get('clients/:id')
  client(@Param('id') id: string): unknown {
    setClientId(id);
    return { id, requestId: currentContext()?.requestId };
  }

  @Post('token')
  token(): never {
    throw new InvalidGrant('authorization code was already used');
  }
}

/** A raw node:http route, as /introspect is served. */
@Injectable()
class Raw implements OnModuleInit {
  constructor(private readonly host: HttpAdapterHost) {}
  onModuleInit(): void {
    installRawRoute(this.host.httpAdapter.getHttpServer() as Server, {
      method: 'POST',
      path: '/introspect',
      handle: (_req, res) => sendRaw(res, 200, {}, { requestId: currentContext()?.requestId }),
    });
  }
}

@Module({ controllers: [Routes], providers: [Raw] })
class TestModule {}

describe('request id, trace context and access log on every HTTP request', () => {
  const lines: Record<string, unknown>[] = [];
  let app: NestFastifyApplication;
  let url: string;

  beforeAll(async () => {
    configureLogging({
      service: 'test',
      level: 'info',
      destination: new Writable({
        write(chunk: Buffer, _enc, done) {
          for (const line of chunk.toString().split('\n').filter(Boolean))
            lines.push(JSON.parse(line) as Record<string, unknown>);
          done();
        },
      }),
    });
    app = await createHttpApp(TestModule);
    url = await listen(app, 0, '127.0.0.1');
  });
  afterAll(async () => {
    await app.close();
    configureLogging({ service: 'test', level: 'silent' });
  });

  const access = async (requestId: string) => {
    for (let i = 0; i < 100; i++) {
      const line = lines.find((l) => l['log'] === 'access' && l['request_id'] === requestId);
      if (line) return line;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no access line for ${requestId}`);
  };

  it('keeps a valid X-Request-Id, runs the handler in it and returns it', async () => {
    const res = await fetch(`${url}/clients/rp-1?code=SECRET-CODE`, {
      headers: { 'X-Request-Id': 'req-1' },
    });
    expect(res.headers.get('x-request-id')).toBe('req-1');
    expect(await res.json()).toEqual({ id: 'rp-1', requestId: 'req-1' });
    const line = await access('req-1');
    expect(line).toMatchObject({
      method: 'GET',
      route: '/clients/:id',
      status: 200,
      client_id: 'rp-1',
    });
    expect(typeof line['duration_ms']).toBe('number');
    expect(typeof line['trace_id']).toBe('string');
    // The route template, never the URL: a query string can hold a code.
    expect(JSON.stringify(lines)).not.toContain('SECRET-CODE');
  });

  it('replaces an invalid X-Request-Id instead of echoing it', async () => {
    const res = await fetch(`${url}/clients/rp-2`, {
      headers: { 'X-Request-Id': 'bad id <script>' },
    });
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify(lines)).not.toContain('<script>');
    await access(id!);
  });

  it('returns X-Request-Id on errors and unknown routes too', async () => {
    const failed = await fetch(`${url}/token`, {
      method: 'POST',
      headers: { 'X-Request-Id': 'req-err' },
    });
    expect(failed.status).toBe(400);
    expect(failed.headers.get('x-request-id')).toBe('req-err');
    expect(await access('req-err')).toMatchObject({ route: '/token', status: 400 });

    const missing = await fetch(`${url}/nowhere`, { headers: { 'X-Request-Id': 'req-404' } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-request-id')).toBe('req-404');
    expect(await access('req-404')).toMatchObject({ status: 404 });
  });

  it('observes raw node:http routes (introspection) the same way', async () => {
    const res = await fetch(`${url}/introspect?token=x`, {
      method: 'POST',
      headers: {
        'X-Request-Id': 'req-raw',
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      },
    });
    expect(res.headers.get('x-request-id')).toBe('req-raw');
    expect(await res.json()).toEqual({ requestId: 'req-raw' });
    expect(await access('req-raw')).toMatchObject({
      method: 'POST',
      route: '/introspect',
      status: 200,
      trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
    });
  });

  it('logs a refused method on a raw route too (405, with its request id)', async () => {
    const res = await fetch(`${url}/introspect`, { headers: { 'X-Request-Id': 'req-raw-405' } });
    expect(res.status).toBe(405);
    expect(res.headers.get('x-request-id')).toBe('req-raw-405');
    expect(await access('req-raw-405')).toMatchObject({
      method: 'GET',
      route: '/introspect',
      status: 405,
    });
  });
});
