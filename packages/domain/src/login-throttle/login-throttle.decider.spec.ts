import { LoginLocked, freshEventMeta } from '@idp/contracts';
import { deciderSpec } from '@idp/testing';
import { loginThrottleStream } from '../streams';
import { loginThrottleDecider, loginThrottleKey } from './login-throttle.decider';

const meta = { now: 1_000, correlationId: 'c' };
const spec = deciderSpec(loginThrottleDecider);
const key = loginThrottleKey('alice');
const locked = LoginLocked.create({ key, until: 1_900, failures: 10 }, freshEventMeta('c'));

describe('login throttle audit', () => {
  it('keys a username by a hash of its normalised form, never the name itself', () => {
    expect(loginThrottleKey('ALICE')).toBe(key);
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(loginThrottleStream(key)).not.toContain('alice');
  });

  it('records a lock, once per lock', () => {
    spec
      .given([])
      .when({ type: 'RecordLock', key, until: 1_900, failures: 10, meta })
      .then([{ type: 'login.locked', data: { key, until: 1_900, failures: 10 } }]);
    spec
      .given([locked])
      .when({ type: 'RecordLock', key, until: 1_900, failures: 10, meta })
      .thenNothing();
  });

  it('records an unlock only of a lock that is still running', () => {
    spec
      .given([locked])
      .when({ type: 'Unlock', key, sub: 'u1', meta })
      .then([{ type: 'login.unlocked', data: { key, sub: 'u1', reason: 'admin' } }]);
    spec
      .given([locked])
      .when({ type: 'Unlock', key, sub: 'u1', meta: { ...meta, now: 2_000 } })
      .thenNothing();
    spec.given([]).when({ type: 'Unlock', key, sub: 'u1', meta }).thenNothing();
  });
});
