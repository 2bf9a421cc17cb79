import type { AttemptVerdict, ThrottlePolicy } from './attempt-throttle.port';

/** One key's record. `redis.attempt-throttle.ts` keeps the same fields in a hash and mirrors these rules in Lua. */
export interface ThrottleRecord {
  /** Attempts counted since the last clear or lock. */
  readonly n: number;
  /** No attempt before this (epoch ms). */
  readonly next: number;
  /** Locked until this (epoch ms); 0 when not locked. */
  readonly lock: number;
}

export const EMPTY_RECORD: ThrottleRecord = { n: 0, next: 0, lock: 0 };

/** The wait after the n-th counted attempt. */
export function delayAfter(n: number, policy: ThrottlePolicy): number {
  if (n <= policy.freeFailures) return 0;
  return Math.min(policy.delayMs * 2 ** (n - policy.freeFailures - 1), policy.maxDelayMs);
}

export function beginAttempt(
  record: ThrottleRecord,
  policy: ThrottlePolicy,
  now: number,
): { verdict: AttemptVerdict; record: ThrottleRecord; ttlMs: number } {
  if (record.lock > now) {
    return {
      verdict: { allowed: false, retryAfterMs: record.lock - now, locked: true },
      record,
      ttlMs: -1,
    };
  }
  if (record.next > now) {
    return {
      verdict: { allowed: false, retryAfterMs: record.next - now, locked: false },
      record,
      ttlMs: -1,
    };
  }
  const n = record.n + 1;
  const wait = delayAfter(n, policy);
  return {
    verdict: { allowed: true },
    record: { n, next: now + wait, lock: 0 },
    ttlMs: Math.max(policy.windowMs, wait),
  };
}

/** A lock starts a fresh count: once it ends, the key gets its free failures again. */
export function failAttempt(
  record: ThrottleRecord,
  policy: ThrottlePolicy,
  now: number,
): { lockedUntil: number | undefined; record: ThrottleRecord; ttlMs: number } {
  if (policy.lockFailures <= 0 || record.n < policy.lockFailures || record.lock > now) {
    return { lockedUntil: undefined, record, ttlMs: -1 };
  }
  const until = now + policy.lockMs;
  return {
    lockedUntil: until,
    record: { n: 0, next: 0, lock: until },
    ttlMs: Math.max(policy.windowMs, policy.lockMs),
  };
}

export function refundAttempt(record: ThrottleRecord, policy: ThrottlePolicy): ThrottleRecord {
  if (record.n <= 0) return record;
  const n = record.n - 1;
  return { ...record, n, next: n <= policy.freeFailures ? 0 : record.next };
}
