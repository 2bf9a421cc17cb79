import { InMemoryAttemptThrottle, type AttemptThrottle } from '@idp/cache';
import { EdgeConfig } from '../http/edge-config';
import { testConfig } from '../http/auth-api.fixtures';
import { UserCodeGuard } from './user-code-guard';

const config = testConfig({
  DEVICE_USER_CODE_IP_FAILURES: '3',
  DEVICE_USER_CODE_CODE_FAILURES: '2',
  DEVICE_USER_CODE_WINDOW_SECONDS: '60',
});
const guardWith = (throttle: AttemptThrottle) =>
  new UserCodeGuard(config, new EdgeConfig(config), throttle);

async function fail(guard: UserCodeGuard, ip: string, code: string): Promise<void> {
  const attempt = await guard.begin(ip, code);
  if (!attempt.allowed) throw new Error('refused');
  await attempt.failed();
}

describe('UserCodeGuard (RFC 8628 5.1)', () => {
  it('locks an IP after its wrong codes, for the window, whatever code comes next', async () => {
    const guard = guardWith(new InMemoryAttemptThrottle());
    for (const code of ['BBBBBBBB', 'CCCCCCCC', 'DDDDDDDD']) await fail(guard, '10.0.0.1', code);
    const locked = await guard.begin('10.0.0.1', 'FFFFFFFF');
    expect(locked).toMatchObject({ allowed: false });
    expect((locked as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(50);
    expect(await guard.begin('10.0.0.2', 'FFFFFFFF')).toMatchObject({ allowed: true });
  });

  it('locks a code after its failures from any IP', async () => {
    const guard = guardWith(new InMemoryAttemptThrottle());
    await fail(guard, '10.0.0.1', 'BBBBBBBB');
    await fail(guard, '10.0.0.2', 'BBBBBBBB');
    expect(await guard.begin('10.0.0.3', 'BBBBBBBB')).toMatchObject({ allowed: false });
    expect(await guard.begin('10.0.0.3', 'CCCCCCCC')).toMatchObject({ allowed: true });
  });

  it('takes back the attempt of a right code', async () => {
    const guard = guardWith(new InMemoryAttemptThrottle());
    for (let i = 0; i < 10; i++) {
      const attempt = await guard.begin('10.0.0.1', 'BBBBBBBB');
      if (!attempt.allowed) throw new Error('refused');
      await attempt.succeeded();
    }
    expect(await guard.begin('10.0.0.1', 'BBBBBBBB')).toMatchObject({ allowed: true });
  });

  it('keys the store by a keyed hash: no code in clear', async () => {
    const throttle = new InMemoryAttemptThrottle();
    const begin = jest.spyOn(throttle, 'begin');
    await guardWith(throttle).begin('10.0.0.1', 'BCDFGHJK');
    const keys = begin.mock.calls.map(([key]) => key);
    expect(keys[0]).toBe('device-code:ip:10.0.0.1');
    expect(keys[1]).toMatch(/^device-code:code:[A-Za-z0-9_-]{43}$/);
    expect(keys.join()).not.toContain('BCDFGHJK');
  });

  it('fails closed when the store cannot answer', async () => {
    const broken = new InMemoryAttemptThrottle();
    jest.spyOn(broken, 'begin').mockRejectedValue(new Error('ECONNREFUSED'));
    expect(await guardWith(broken).begin('10.0.0.1', 'BCDFGHJK')).toEqual({
      allowed: false,
      unavailable: true,
    });
  });
});
