import type { RawRecord } from './codec';
import { fromDeadLetterRecord, toDeadLetter, type DeadLetterRecord } from './dead-letter';
import { DEAD_LETTER_POLICY, deliverEvent, withRetries, type RetryPolicy } from './delivery';
import type { DeadLetterHandler, EventHandler } from './event-bus.port';
import type { BusLogger } from './logger';

/** What both adapters run per record; 'aborted' = leave it uncommitted. */
export type Processor = (record: RawRecord, signal: AbortSignal) => Promise<'done' | 'aborted'>;

const where = (r: RawRecord) => ({ topic: r.topic, partition: r.partition, offset: r.offset });

/**
 * Decode, handle with retries, and dead-letter what cannot be handled. Returns
 * 'done' only once the handler succeeded or the dead letter is stored, so the
 * caller commits the offset only then. A failing dead-letter write throws: the
 * record stays uncommitted and is redelivered.
 */
export function eventProcessor(opts: {
  groupId: string;
  handler: EventHandler;
  policy: RetryPolicy;
  logger: BusLogger;
  sendDeadLetter: (letter: DeadLetterRecord) => Promise<void>;
}): Processor {
  const { groupId, handler, policy, logger } = opts;
  return async (record, signal) => {
    const outcome = await deliverEvent(record, handler, policy, signal, (error, attempt) => {
      if (attempt === 1)
        logger.warn('event handler failed; retrying with backoff', {
          groupId,
          ...where(record),
          error: String(error),
        });
    });
    if (outcome.kind === 'aborted') return 'aborted';
    if (outcome.kind === 'failed') {
      await opts.sendDeadLetter(toDeadLetter(record, outcome, groupId));
      logger.error('event dead-lettered', {
        groupId,
        ...where(record),
        attempts: outcome.attempts,
        error: outcome.error,
      });
    }
    return 'done';
  };
}

export function deadLetterProcessor(opts: {
  groupId: string;
  handler: DeadLetterHandler;
  logger: BusLogger;
}): Processor {
  return async (record, signal) => {
    const letter = fromDeadLetterRecord(record);
    const outcome = await withRetries(
      () => opts.handler(letter),
      DEAD_LETTER_POLICY,
      signal,
      (error, attempt) => {
        if (attempt === 1)
          opts.logger.error('dead-letter handler failed; retrying', {
            groupId: opts.groupId,
            ...where(record),
            error: String(error),
          });
      },
    );
    return outcome.kind === 'aborted' ? 'aborted' : 'done';
  };
}
