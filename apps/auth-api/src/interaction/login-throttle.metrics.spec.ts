import { loadConfig } from '@idp/config';
import { registry } from '@idp/nest-kit';
import { LoginThrottle } from './login-throttle';

const locks = async () =>
  (await registry.getSingleMetric('idp_login_locks_total')!.get()).values[0]?.value ?? 0;

describe('LoginThrottle (idp_login_locks_total)', () => {
  it('counts a lock once, when the failure that reaches LOGIN_LOCK_FAILURES is reported', async () => {
    const recordLoginLock = jest.fn(async () => ({}));
    const throttle = new LoginThrottle(
      loadConfig({
        PORT: '0',
        LOGIN_LOCK_FAILURES: '2',
        LOGIN_THROTTLE_FREE_FAILURES: '10',
        LOGIN_THROTTLE_IP_FREE_FAILURES: '100',
      }),
      { recordLoginLock } as never,
    );
    const before = await locks();
    const fail = async () => {
      const attempt = await throttle.begin('mallory', '10.0.0.7');
      if (!attempt.allowed) return 'refused';
      await attempt.failed();
      return 'failed';
    };
    expect(await fail()).toBe('failed');
    expect((await locks()) - before).toBe(0);
    expect(await fail()).toBe('failed');
    expect(recordLoginLock).toHaveBeenCalledTimes(1);
    expect((await locks()) - before).toBe(1);
    // Locked: refused before any password check, no second lock counted.
    expect(await fail()).toBe('refused');
    expect((await locks()) - before).toBe(1);
  });
});
