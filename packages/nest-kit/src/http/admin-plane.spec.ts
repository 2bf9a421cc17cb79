import { Controller, Get, Module, Param, Post } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { isAdminPath, openAdminListener, separatePlanes, type PlaneRouter } from './admin-plane';
import { clientErrorHandler, createHttpApp, listen } from './create-http-app';

@Controller()
class BothPlanes {
  @Get('admin/users/:sub')
  user(@Param('sub') sub: string) {
    return { sub };
  }
  @Get('metrics')
  metrics() {
    return 'metric 1';
  }
  @Get('health/live')
  live() {
    return { status: 'live' };
  }
  @Post('token')
  token() {
    return { access_token: 'x' };
  }
  @Get('.well-known/openid-configuration')
  discovery() {
    return { issuer: 'x' };
  }
}

@Module({ controllers: [BothPlanes] })
class PlanesModule {}

const NOT_FOUND = { error: 'invalid_request', error_description: 'not found' };

describe('the admin plane (ADR 0017)', () => {
  let app: NestFastifyApplication;
  let publicUrl: string;
  let adminUrl: string;

  beforeAll(async () => {
    app = await createHttpApp(PlanesModule, { logLevel: 'error' });
    const router = app.getHttpAdapter().getInstance() as unknown as PlaneRouter;
    separatePlanes(router);
    const admin = openAdminListener(router, clientErrorHandler);
    await app.init();
    publicUrl = await listen(app, 0, '127.0.0.1');
    adminUrl = (await admin.listen(0, '127.0.0.1')).url;
  });
  afterAll(() => app.close());

  const call = async (base: string, path: string, method = 'GET') => {
    const res = await fetch(`${base}${path}`, { method });
    const text = await res.text();
    return { status: res.status, body: text.startsWith('{') ? JSON.parse(text) : text, res };
  };

  it('serves /admin, /metrics and /health on the admin listener only', async () => {
    for (const path of ['/admin/users/u-1', '/metrics', '/health/live']) {
      expect((await call(adminUrl, path)).status).toBe(200);
      const outside = await call(publicUrl, path);
      expect([outside.status, outside.body]).toEqual([404, NOT_FOUND]);
      expect(outside.res.headers.get('cache-control')).toBe('no-store');
    }
    expect((await call(adminUrl, '/admin/users/u-1')).body).toEqual({ sub: 'u-1' });
  });

  it('serves everything else on the public listener only', async () => {
    expect((await call(publicUrl, '/token', 'POST')).status).toBe(201);
    expect((await call(publicUrl, '/.well-known/openid-configuration')).status).toBe(200);
    for (const [path, method] of [
      ['/token', 'POST'],
      ['/.well-known/openid-configuration', 'GET'],
      ['/no-such-route', 'GET'],
    ] as const) {
      const inside = await call(adminUrl, path, method);
      expect([inside.status, inside.body]).toEqual([404, NOT_FOUND]);
    }
    // Not a 405 naming the public route's methods either.
    expect((await call(adminUrl, '/token', 'GET')).status).toBe(404);
  });

  it('reaches no admin route from outside by another spelling or method', async () => {
    for (const [path, method] of [
      ['/%61dmin/users/u-1', 'GET'],
      ['/admin/users/u-1?x=1', 'GET'],
      ['/metrics', 'POST'],
      ['/health/live', 'DELETE'],
    ] as const) {
      const outside = await call(publicUrl, path, method);
      expect([path, outside.status]).toEqual([path, 404]);
      expect(outside.res.headers.get('allow')).toBeNull();
    }
    // On its own listener a wrong method is still the usual 405.
    expect((await call(adminUrl, '/metrics', 'POST')).status).toBe(405);
  });

  it('classifies paths and route templates', () => {
    for (const p of ['/admin', '/admin/clients/:id', '/metrics', '/health/ready', '/health'])
      expect([p, isAdminPath(p)]).toEqual([p, true]);
    for (const p of ['/administrator', '/metricsx', '/token', '/', '/healthz', '/x/admin'])
      expect([p, isAdminPath(p)]).toEqual([p, false]);
  });
});

describe('closing the app', () => {
  it('closes the admin listener with it', async () => {
    const app = await createHttpApp(PlanesModule, { logLevel: 'error' });
    const router = app.getHttpAdapter().getInstance() as unknown as PlaneRouter;
    separatePlanes(router);
    const opened = openAdminListener(router, clientErrorHandler);
    await app.init();
    await listen(app, 0, '127.0.0.1');
    const { server, url } = await opened.listen(0, '127.0.0.1');
    expect((await fetch(`${url}/health/live`)).status).toBe(200);
    await app.close();
    expect(server.listening).toBe(false);
    await expect(fetch(`${url}/health/live`)).rejects.toThrow();
  });
});
