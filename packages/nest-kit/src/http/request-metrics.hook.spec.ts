import Fastify from 'fastify';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HTTP_BUCKETS, HTTP_DURATION } from '../metrics/http-metrics';
import { registry } from '../metrics/metrics';
import { installRawRoute, sendRaw } from './raw-route';
import { installRequestMetrics } from './request-metrics.hook';

interface Sample {
  metricName?: string;
  labels: Record<string, string | number>;
  value: number;
}

async function samples(): Promise<Sample[]> {
  return (await registry.getSingleMetric(HTTP_DURATION)!.get()).values as Sample[];
}

/** Request counts per "method route status" (route "-" when the label is absent). */
async function counts(): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const s of await samples()) {
    if (s.metricName !== `${HTTP_DURATION}_count`) continue;
    const l = s.labels;
    out.set(
      `${l['http_request_method']} ${l['http_route'] ?? '-'} ${l['http_response_status_code']}`,
      s.value,
    );
  }
  return out;
}

/** What `act` added to each series, by its key in `counts()`. */
async function added(act: () => Promise<void>): Promise<Record<string, number>> {
  const before = await counts();
  await act();
  const out: Record<string, number> = {};
  for (const [key, n] of await counts()) {
    const d = n - (before.get(key) ?? 0);
    if (d !== 0) out[key] = d;
  }
  return out;
}

describe('installRequestMetrics (Fastify routes)', () => {
  const app = Fastify();
  beforeAll(async () => {
    installRequestMetrics(app as never);
    app.get('/clients/:id', async () => ({ ok: true }));
    app.post('/token', async (_req, reply) => reply.code(400).send({ error: 'invalid_request' }));
    await app.ready();
  });
  afterAll(() => app.close());

  it('labels each request with the route template, never the raw URL', async () => {
    const delta = await added(async () => {
      for (const id of ['a', 'b', 'c%20d', 'x'.repeat(50)])
        await app.inject({ method: 'GET', url: `/clients/${id}?q=${id}` });
      await app.inject({ method: 'POST', url: '/token', payload: {} });
    });
    expect(delta).toEqual({ 'GET /clients/:id 200': 4, 'POST /token 400': 1 });
    const routes = new Set((await samples()).map((s) => s.labels['http_route']));
    expect([...routes].some((r) => typeof r === 'string' && r.includes('clients/a'))).toBe(false);
  });

  it('records requests no route matched without http_route, whatever the path', async () => {
    const delta = await added(async () => {
      await app.inject({ method: 'GET', url: '/nope' });
      await app.inject({ method: 'GET', url: '/also/nope/123' });
    });
    expect(delta).toEqual({ 'GET - 404': 2 });
  });

  it('observes seconds into the OpenTelemetry buckets', async () => {
    await app.inject({ method: 'GET', url: '/clients/a' });
    const text = await registry.getSingleMetricAsString(HTTP_DURATION);
    const bounds = [
      ...new Set([...text.matchAll(/http_route="\/clients\/:id".*le="([^"]+)"/g)].map((m) => m[1])),
    ];
    expect(bounds).toEqual([...HTTP_BUCKETS.map(String), '+Inf']);
    const sum = (await samples()).find(
      (s) => s.metricName === `${HTTP_DURATION}_sum` && s.labels['http_route'] === '/clients/:id',
    );
    // An in-process inject takes well under a second each.
    expect(sum!.value).toBeGreaterThan(0);
    expect(sum!.value).toBeLessThan(5);
  });
});

describe('installRawRoute metrics (routes served ahead of Fastify)', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer();
    server.on('request', (_req, res) => sendRaw(res, 404, {}, { error: 'not_found' }));
    installRawRoute(server, {
      method: 'POST',
      path: '/introspect',
      handle: (_req, res) => sendRaw(res, 200, {}, { active: false }),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('records the raw route under its path, with the method and the status it answered', async () => {
    const delta = await added(async () => {
      await fetch(`${base}/introspect`, { method: 'POST', body: 'token=x' });
      await fetch(`${base}/introspect?x=1`, { method: 'POST', body: 'token=y' });
      await fetch(`${base}/introspect`, { method: 'GET' });
      // Let the close listeners run.
      await new Promise((resolve) => setImmediate(resolve));
    });
    expect(delta).toEqual({ 'POST /introspect 200': 2, 'GET /introspect 405': 1 });
  });

  it('leaves the framework’s requests to the framework (no raw-route sample)', async () => {
    const delta = await added(async () => {
      await fetch(`${base}/other`);
      await new Promise((resolve) => setImmediate(resolve));
    });
    expect(delta).toEqual({});
  });
});
