import { logLevel, type logCreator } from 'kafkajs';
import { LRUCache } from 'lru-cache';
import type { BusLogger } from '../logger';

/** Fields of a kafkajs log entry that describe where, never what: no payloads, no stacks. */
const SAFE_FIELDS = [
  'error',
  'groupId',
  'topic',
  'partition',
  'broker',
  'clientId',
  'retryCount',
] as const;

/**
 * Routes kafkajs logs at or above the configured level to the bus logger.
 * - A whitelist of fields keeps message values (which can carry token hashes) out.
 * - During an outage kafkajs logs every failed connect, even at ERROR; the
 *   same line (digits ignored) is written once per `repeatWindowMs`, with a
 *   count of what was suppressed.
 */
export function quietLogCreator(logger: BusLogger, repeatWindowMs = 30_000): logCreator {
  // Bounded: an outage repeats a few lines; the least recently seen goes first.
  const lastWritten = new LRUCache<string, { at: number; suppressed: number }>({ max: 1000 });
  return () =>
    ({ namespace, level, log }) => {
      const fingerprint = `${namespace}|${String(log.message).replace(/\d+/g, '#')}`;
      const now = Date.now();
      const seen = lastWritten.get(fingerprint);
      if (seen && now - seen.at < repeatWindowMs) {
        seen.suppressed++;
        return;
      }
      lastWritten.set(fingerprint, { at: now, suppressed: 0 });

      const context: Record<string, unknown> = { namespace };
      for (const f of SAFE_FIELDS) if (log[f] !== undefined) context[f] = String(log[f]);
      if (seen?.suppressed) context.suppressedRepeats = seen.suppressed;
      const message = `kafkajs: ${log.message}`;
      if (level <= logLevel.ERROR) logger.error(message, context);
      else logger.warn(message, context);
    };
}
