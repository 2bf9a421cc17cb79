import { registry as metricsRegistry } from '../metrics/metrics';
import { HealthRegistry } from './health.registry';

const required = { required: true };
const informational = { required: false };

describe('HealthRegistry', () => {
  it('is not ready, with the reason, once marked so (the shutdown), though every check is up', async () => {
    const r = new HealthRegistry();
    r.register('db', () => true, required);
    await expect(r.readiness()).resolves.toMatchObject({ status: 'ready' });
    r.markNotReady('shutting down');
    await expect(r.readiness()).resolves.toEqual({
      status: 'not_ready',
      reason: 'shutting down',
      checks: { db: 'up' },
    });
  });

  it('aborts leavingRotation once marked not ready, so held requests answer before the drain', () => {
    const r = new HealthRegistry();
    expect(r.leavingRotation.aborted).toBe(false);
    r.markNotReady('shutting down');
    expect(r.leavingRotation.aborted).toBe(true);
  });

  it('is ready when every required check answers true', async () => {
    const r = new HealthRegistry();
    r.register('db', () => true, required);
    r.register('cache', async () => true, required);
    await expect(r.readiness()).resolves.toEqual({
      status: 'ready',
      checks: { db: 'up', cache: 'up' },
    });
  });

  it('names the required dependency that is down, whether it says false or throws', async () => {
    const r = new HealthRegistry();
    r.register('db', () => true, required);
    r.register('store', () => false, required);
    r.register(
      'cache',
      async () => {
        throw new Error('ECONNREFUSED');
      },
      required,
    );
    await expect(r.readiness()).resolves.toEqual({
      status: 'not_ready',
      checks: { db: 'up', store: 'down', cache: 'down' },
    });
  });

  it('stays ready while an informational dependency is down, and reports it under dependencies', async () => {
    const r = new HealthRegistry();
    r.register('event_store', () => true, required);
    r.register('bus', () => false, informational);
    await expect(r.readiness()).resolves.toEqual({
      status: 'ready',
      checks: { event_store: 'up' },
    });
    await expect(r.dependencies()).resolves.toEqual({
      status: 'ready',
      dependencies: {
        event_store: { status: 'up', required: true },
        bus: { status: 'down', required: false },
      },
    });
  });

  it('gives the readiness verdict in dependencies too when a required one is down', async () => {
    const r = new HealthRegistry();
    r.register('event_store', () => false, required);
    r.register('bus', () => true, informational);
    await expect(r.dependencies()).resolves.toEqual({
      status: 'not_ready',
      dependencies: {
        event_store: { status: 'down', required: true },
        bus: { status: 'up', required: false },
      },
    });
  });

  it('is ready with no required dependency at all', async () => {
    const r = new HealthRegistry();
    r.register('bus', () => false, informational);
    await expect(r.readiness()).resolves.toEqual({ status: 'ready', checks: {} });
  });

  it('publishes every dependency, required or not, as the idp_dependency_up gauge on each scrape', async () => {
    const r = new HealthRegistry();
    let busUp = false;
    r.register('event_store', () => true, required);
    r.register('bus', () => busUp, informational);
    const gauge = async () => (await metricsRegistry.metrics()).split('\n');
    expect(await gauge()).toEqual(
      expect.arrayContaining([
        'idp_dependency_up{dependency="event_store",required="true"} 1',
        'idp_dependency_up{dependency="bus",required="false"} 0',
      ]),
    );
    busUp = true;
    expect(await gauge()).toContain('idp_dependency_up{dependency="bus",required="false"} 1');
  });

  it('counts a check that hangs as down instead of hanging the probe', async () => {
    const r = new HealthRegistry();
    r.register('frozen', () => new Promise<boolean>(() => undefined), required);
    const started = Date.now();
    await expect(r.readiness()).resolves.toMatchObject({
      status: 'not_ready',
      checks: { frozen: 'down' },
    });
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
