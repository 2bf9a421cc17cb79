import { HealthRegistry } from './health.registry';

describe('HealthRegistry', () => {
  it('is ready when every check answers true', async () => {
    const r = new HealthRegistry();
    r.register('db', () => true);
    r.register('bus', async () => true);
    await expect(r.readiness()).resolves.toEqual({
      status: 'ready',
      checks: { db: 'up', bus: 'up' },
    });
  });

  it('names the dependency that is down, whether it says false or throws', async () => {
    const r = new HealthRegistry();
    r.register('db', () => true);
    r.register('bus', () => false);
    r.register('cache', async () => {
      throw new Error('ECONNREFUSED');
    });
    await expect(r.readiness()).resolves.toEqual({
      status: 'not_ready',
      checks: { db: 'up', bus: 'down', cache: 'down' },
    });
  });

  it('counts a check that hangs as down instead of hanging the probe', async () => {
    const r = new HealthRegistry();
    r.register('frozen', () => new Promise<boolean>(() => undefined));
    const started = Date.now();
    await expect(r.readiness()).resolves.toMatchObject({
      status: 'not_ready',
      checks: { frozen: 'down' },
    });
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
