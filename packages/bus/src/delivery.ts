import { setTimeout } from 'node:timers/promises';
import { backoffDelay, type DomainEvent } from '@idp/contracts';
import { DecodeError, decodeEvent, describeError, type RawRecord } from './codec';
import type { EventHandler, RetryBackoff } from './event-bus.port';

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly backoff: RetryBackoff;
}

export const DEFAULT_MAX_ATTEMPTS = 8;
export const DEFAULT_RETRY_BACKOFF: RetryBackoff = { initial: 100, max: 10_000 };
/** Dead-letter readers have nowhere further to send a message, so they never give up. */
export const DEAD_LETTER_POLICY: RetryPolicy = {
  maxAttempts: Number.POSITIVE_INFINITY,
  backoff: { initial: 100, max: 30_000 },
};

export function retryPolicy(opts: {
  maxAttempts?: number;
  retryBackoffMs?: RetryBackoff;
}): RetryPolicy {
  const maxAttempts = opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const backoff = opts.retryBackoffMs ?? DEFAULT_RETRY_BACKOFF;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1)
    throw new Error('maxAttempts must be an integer >= 1');
  if (!(backoff.initial >= 0) || !(backoff.max >= backoff.initial)) {
    throw new Error('retryBackoffMs needs 0 <= initial <= max');
  }
  return { maxAttempts, backoff };
}

/**
 * Delay after failed attempt n (1-based): initial, 2×initial, 4×initial…
 * capped at max, without jitter: one handler retrying its own message has
 * no peers to fall out of step with.
 */
export function retryDelay(failedAttempt: number, b: RetryBackoff): number {
  return backoffDelay(failedAttempt, { initialMs: b.initial, maxMs: b.max, jitter: 'none' });
}

export type Outcome =
  | { readonly kind: 'done' }
  | { readonly kind: 'failed'; readonly error: string; readonly attempts: number }
  /** Stopped (close, rebalance) before success: the record stays uncommitted and will be redelivered. */
  | { readonly kind: 'aborted' };

export async function withRetries(
  attemptOnce: (attempt: number) => Promise<void>,
  policy: RetryPolicy,
  signal: AbortSignal,
  onRetry?: (error: unknown, attempt: number) => void,
): Promise<Outcome> {
  for (let attempt = 1; ; attempt++) {
    if (signal.aborted) return { kind: 'aborted' };
    try {
      await attemptOnce(attempt);
      return { kind: 'done' };
    } catch (e) {
      if (attempt >= policy.maxAttempts)
        return { kind: 'failed', error: describeError(e), attempts: attempt };
      onRetry?.(e, attempt);
      // Cut short by the abort (closing must not wait out a backoff); the loop then sees it.
      await setTimeout(retryDelay(attempt, policy.backoff), undefined, { signal }).catch(() => {});
    }
  }
}

/** Decode → handler with retries. A value that fails to decode is a failure with 0 attempts. */
export async function deliverEvent(
  record: RawRecord,
  handler: EventHandler,
  policy: RetryPolicy,
  signal: AbortSignal,
  onRetry?: (error: unknown, attempt: number) => void,
): Promise<Outcome> {
  let event: DomainEvent;
  try {
    event = decodeEvent(record.value);
  } catch (e) {
    const error = e instanceof DecodeError ? e.message : describeError(e);
    return { kind: 'failed', error, attempts: 0 };
  }
  const { topic, partition, offset, headers } = record;
  return withRetries(
    (attempt) => handler(event, { topic, partition, offset, attempt, headers }),
    policy,
    signal,
    onRetry,
  );
}
