import { attemptThrottleContract } from '@idp/testing';
import { InMemoryAttemptThrottle } from './in-memory.attempt-throttle';

function manualClock(start = 1_700_000_000_000) {
  let now = start;
  return { now: () => now, advance: async (ms: number) => void (now += ms) };
}

attemptThrottleContract('InMemoryAttemptThrottle', async () => {
  const clock = manualClock(Date.now());
  const throttle = new InMemoryAttemptThrottle({ now: clock.now, sweepIntervalMs: 0 });
  return { throttle, advance: clock.advance, cleanup: () => throttle.close() };
});

describe('InMemoryAttemptThrottle (adapter specifics)', () => {
  it('sweep() drops keys past their window, so random usernames cannot grow it', async () => {
    const clock = manualClock();
    const throttle = new InMemoryAttemptThrottle({ now: clock.now, sweepIntervalMs: 0 });
    const policy = {
      freeFailures: 1,
      delayMs: 10,
      maxDelayMs: 10,
      lockFailures: 0,
      lockMs: 10,
      windowMs: 1_000,
    };
    for (let i = 0; i < 100; i++) await throttle.begin(`user-${i}`, policy);
    expect(throttle.storedKeys).toBe(100);
    await clock.advance(1_000);
    expect(throttle.sweep()).toBe(100);
    expect(throttle.storedKeys).toBe(0);
    await throttle.close();
  });
});
