import { setTimeout as sleep } from 'node:timers/promises';
import type { AttemptThrottle, ThrottlePolicy } from '@idp/cache';

/** What one test of the contract gets from an adapter. `make` is called per test. */
export interface AttemptThrottleFixture {
  readonly throttle: AttemptThrottle;
  /** Lets `ms` pass: the in-memory adapter moves its clock; omitted, the suite sleeps (Redis's clock). */
  readonly advance?: (ms: number) => Promise<void>;
  /** Closes the throttle and deletes everything this fixture wrote. */
  readonly cleanup: () => Promise<void>;
}

/** Short enough for a real clock, long enough that a test's own calls fit inside one delay. */
const POLICY: ThrottlePolicy = {
  freeFailures: 2,
  delayMs: 200,
  maxDelayMs: 400,
  lockFailures: 5,
  lockMs: 600,
  windowMs: 2_000,
};

/**
 * Behaviour every AttemptThrottle adapter must have, so a flood meets the
 * same delays and locks in the embedded and the distributed mode (ADR 0016).
 */
export function attemptThrottleContract(
  name: string,
  make: () => Promise<AttemptThrottleFixture>,
): void {
  describe(`AttemptThrottle contract: ${name}`, () => {
    let fixture: AttemptThrottleFixture;
    let throttle: AttemptThrottle;
    const advance = (ms: number) => (fixture.advance ?? sleep)(ms);
    /** Counts `times` attempts that all fail. */
    const failTimes = async (key: string, times: number, policy = POLICY) => {
      for (let i = 0; i < times; i++) {
        const verdict = await throttle.begin(key, policy);
        if (!verdict.allowed) return verdict;
        await throttle.fail(key, policy);
      }
      return undefined;
    };

    beforeEach(async () => {
      fixture = await make();
      throttle = fixture.throttle;
    });
    afterEach(() => fixture.cleanup());

    it('lets the free failures and one more through at once, then asks to wait', async () => {
      expect(await failTimes('k', POLICY.freeFailures + 1)).toBeUndefined();
      const refused = await throttle.begin('k', POLICY);
      expect(refused.allowed).toBe(false);
      if (refused.allowed) return;
      expect(refused.locked).toBe(false);
      expect(refused.retryAfterMs).toBeGreaterThan(0);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(POLICY.delayMs);
    });

    it('doubles the delay per failure, up to the maximum', async () => {
      await failTimes('k', POLICY.freeFailures + 1);
      await advance(POLICY.delayMs + 20);
      expect(await throttle.begin('k', POLICY)).toEqual({ allowed: true });
      const second = await throttle.begin('k', POLICY);
      expect(second.allowed).toBe(false);
      if (second.allowed) return;
      expect(second.retryAfterMs).toBeGreaterThan(POLICY.delayMs);
      expect(second.retryAfterMs).toBeLessThanOrEqual(POLICY.maxDelayMs);
    });

    it('of many concurrent attempts, only the free ones and one more get through', async () => {
      const verdicts = await Promise.all(
        Array.from({ length: 20 }, () => throttle.begin('k', POLICY)),
      );
      expect(verdicts.filter((v) => v.allowed)).toHaveLength(POLICY.freeFailures + 1);
    });

    it('locks after lockFailures failures, once, and says so only to the call that locked', async () => {
      const policy = { ...POLICY, freeFailures: 10 };
      for (let i = 0; i < policy.lockFailures - 1; i++) {
        expect(await throttle.begin('k', policy)).toEqual({ allowed: true });
        expect(await throttle.fail('k', policy)).toBeUndefined();
      }
      expect(await throttle.begin('k', policy)).toEqual({ allowed: true });
      const until = await throttle.fail('k', policy);
      expect(until).toBeGreaterThan(Date.now() - 5_000);
      expect(await throttle.fail('k', policy)).toBeUndefined();
      const refused = await throttle.begin('k', policy);
      expect(refused).toMatchObject({ allowed: false, locked: true });
      if (refused.allowed) return;
      expect(refused.retryAfterMs).toBeGreaterThan(policy.lockMs / 2);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(policy.lockMs);
    });

    it('a lock ends by itself, with a fresh count', async () => {
      const policy = { ...POLICY, freeFailures: 10 };
      await failTimes('k', policy.lockFailures, policy);
      expect((await throttle.begin('k', policy)).allowed).toBe(false);
      await advance(policy.lockMs + 50);
      expect(await failTimes('k', policy.lockFailures - 1, policy)).toBeUndefined();
      expect(await throttle.begin('k', policy)).toEqual({ allowed: true });
    });

    it('never locks with lockFailures 0', async () => {
      const policy = { ...POLICY, freeFailures: 100, lockFailures: 0 };
      await failTimes('k', 8, policy);
      expect(await throttle.begin('k', policy)).toEqual({ allowed: true });
    });

    it('clear() lifts a lock (true) and forgets the failures', async () => {
      const policy = { ...POLICY, freeFailures: 10 };
      await failTimes('k', policy.lockFailures, policy);
      expect(await throttle.clear('k')).toBe(true);
      expect(await throttle.clear('k')).toBe(false);
      expect(await failTimes('k', policy.lockFailures - 1, policy)).toBeUndefined();
    });

    it('refund() takes one counted attempt back', async () => {
      await failTimes('k', POLICY.freeFailures);
      await throttle.begin('k', POLICY);
      await throttle.refund('k', POLICY);
      expect(await throttle.begin('k', POLICY)).toEqual({ allowed: true });
    });

    it('keys are independent', async () => {
      await failTimes('a', POLICY.freeFailures + 1);
      expect((await throttle.begin('a', POLICY)).allowed).toBe(false);
      expect(await throttle.begin('b', POLICY)).toEqual({ allowed: true });
    });

    it('forgets a key windowMs after its last attempt', async () => {
      const policy = { ...POLICY, windowMs: 300, delayMs: 100, maxDelayMs: 100 };
      await failTimes('k', policy.freeFailures + 1, policy);
      await advance(policy.windowMs + 50);
      expect(await failTimes('k', policy.freeFailures + 1, policy)).toBeUndefined();
    });
  });
}
