import type Redis from 'ioredis';
import { engines } from '../../package.json';
import { startDistributedStack, type DistributedStack } from './support/distributed-stack';
import { activeAlgs, readJwks, redisClient } from './support/read-models';
import { healthUrl } from './support/health';
import { metricsUrl } from './support/metrics';
import {
  httpStatus,
  NODE_WARNING,
  runCli,
  type ServiceProcess,
  waitFor,
} from './support/service-process';

/**
 * Issue #2's smoke test, distributed mode: an event appended in token-service
 * (PostgreSQL event store + outbox) crosses the real Kafka broker and lands in
 * the Redis projection kept by a separate introspection-service process.
 */
describe('distributed mode: token-service → outbox → Kafka → introspection-service → Redis', () => {
  let stack: DistributedStack;
  let env: Readonly<Record<string, string>>;
  let prefix: string;
  let token: ServiceProcess;
  let introspection: ServiceProcess;
  let session: ServiceProcess;
  let auth: ServiceProcess;
  let redis: Redis;

  beforeAll(async () => {
    redis = redisClient();
    stack = await startDistributedStack({ name: 'smoke' });
    ({ env, token, session, auth } = stack);
    introspection = stack.introspection[0]!;
    prefix = env['REDIS_KEY_PREFIX']!;
  }, 120_000);

  afterAll(async () => {
    redis.disconnect();
    await stack?.stop();
  }, 60_000);

  it('projects the signing keys token-service created at start-up', async () => {
    const model = await waitFor('both keys projected', async () => {
      const m = await readJwks(redis, prefix);
      return activeAlgs(m).join() === 'ES256,RS256' ? m : undefined;
    });
    expect(model.version).toBe(4); // generated + activated, for two algorithms
    for (const key of Object.values(model.keys)) {
      expect(key.jwk).not.toHaveProperty('d'); // public halves only
    }
  }, 40_000);

  it('carries a rotation appended by the CLI to the projection, in stream order', async () => {
    const before = await readJwks(redis, prefix);
    const oldKid = Object.values(before!.keys).find(
      (k) => k.jwk.alg === 'ES256' && k.status === 'active',
    )!.jwk.kid;
    const result = await runCli(['keys', 'rotate', 'ES256', '--grace-seconds', '600'], {
      ...env,
      PORT: '0',
    });
    expect(result.output).toMatch(/rotated ES256/);
    expect(result.output).not.toMatch(NODE_WARNING);
    expect(result.code).toBe(0);

    const model = await waitFor('rotation projected', async () => {
      const m = await readJwks(redis, prefix);
      return m && m.version === 7 ? m : undefined;
    });
    expect(model.keys[String(oldKid)]).toMatchObject({ status: 'retired' });
    expect(activeAlgs(model)).toEqual(['ES256', 'RS256']);
  }, 40_000);

  it('boots all four apps as separate processes, each with liveness, readiness and Prometheus metrics on its admin port', async () => {
    for (const svc of [token, introspection, session, auth]) {
      expect(await httpStatus(healthUrl(svc, 'live'))).toBe(200);
      const ready = await fetch(healthUrl(svc, 'ready'));
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready' });
      const metrics = await (await fetch(metricsUrl(svc))).text();
      expect(metrics).toMatch(/^# HELP process_cpu_user_seconds_total/m);
    }
    // token-service and session-service share the outbox table; whichever holds the
    // relay lease publishes (outbox-relay.ts), so the count is theirs together.
    let published = 0;
    for (const svc of [token, session]) {
      const text = await (await fetch(metricsUrl(svc))).text();
      const m = /^idp_outbox_published_total\{[^}]*\} (\d+)$/m.exec(text);
      published += m ? Number(m[1]) : 0;
    }
    expect(published).toBeGreaterThanOrEqual(4); // the two signing keys, generated and activated
    const consumerMetrics = await (await fetch(metricsUrl(introspection))).text();
    expect(consumerMetrics).toMatch(
      /idp_events_consumed_total\{group="introspection-service.read-model",type="key.activated",outcome="ok"\} [1-9]/,
    );
  });

  it('answers admin routes only on the admin port and public routes only on the public port (ADR 0017)', async () => {
    const notFound = { error: 'invalid_request', error_description: 'not found' };
    for (const svc of [token, introspection, session, auth]) {
      for (const path of ['/health/live', '/health/ready', '/metrics', '/admin/users/u-1']) {
        const res = await fetch(`${svc.url}${path}`);
        expect([svc.app, path, res.status]).toEqual([svc.app, path, 404]);
        expect(await res.json()).toEqual(notFound);
      }
    }
    // auth-api's public routes are not on its admin port.
    for (const path of ['/.well-known/openid-configuration', '/jwks', '/authorize']) {
      const res = await fetch(`${auth.adminUrl}${path}`);
      expect([path, res.status]).toEqual([path, 404]);
      expect(await res.json()).toEqual(notFound);
    }
    expect((await fetch(`${auth.url}/.well-known/openid-configuration`)).status).toBe(200);
    // introspection-service's /introspect (served ahead of Fastify) is public only too.
    const introspectOnAdmin = await fetch(`${introspection.adminUrl}/introspect`, {
      method: 'POST',
    });
    expect(introspectOnAdmin.status).toBe(404);
  });

  it('runs every app on the Node.js that package.json "engines" asks for, without a Node.js warning', async () => {
    const min = Number(/^>=(\d+)/.exec(engines.node)?.[1]);
    expect(min).toBeGreaterThanOrEqual(24);
    for (const svc of [token, introspection, session, auth]) {
      // prom-client's default metrics name the runtime of the process that serves them.
      const metrics = await (await fetch(metricsUrl(svc))).text();
      const major = /^nodejs_version_info\{version="v(\d+)\./m.exec(metrics)?.[1];
      expect(Number(major)).toBeGreaterThanOrEqual(min);
      // Deprecations (and any other process warning) printed since start-up.
      expect(svc.logs()).not.toMatch(NODE_WARNING);
    }
  });
});
