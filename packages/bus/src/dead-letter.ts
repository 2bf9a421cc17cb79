import { deadLetterTopic } from '@idp/contracts';
import type { RawRecord } from './codec';
import type { DeadLetter } from './event-bus.port';

/**
 * Wire format of a dead letter (both adapters): key and value are the original
 * bytes, so a replay tool can republish them unchanged; why and where it failed
 * travels in headers, as Kafka Connect does with its `__connect.errors.*` headers.
 */
export const DLQ_HEADERS = {
  topic: 'dlq-original-topic',
  partition: 'dlq-original-partition',
  offset: 'dlq-original-offset',
  error: 'dlq-error',
  attempts: 'dlq-attempts',
  groupId: 'dlq-group-id',
  failedAt: 'dlq-failed-at',
} as const;

export interface DeadLetterRecord {
  readonly topic: string;
  readonly key: string | null;
  readonly value: string | null;
  readonly headers: Record<string, string>;
}

export interface Failure {
  readonly error: string;
  readonly attempts: number;
}

export function toDeadLetter(
  record: RawRecord,
  failure: Failure,
  groupId: string,
  now = new Date(),
): DeadLetterRecord {
  return {
    topic: deadLetterTopic(record.topic),
    key: record.key,
    value: record.value,
    headers: {
      [DLQ_HEADERS.topic]: record.topic,
      [DLQ_HEADERS.partition]: String(record.partition),
      [DLQ_HEADERS.offset]: record.offset,
      [DLQ_HEADERS.error]: failure.error,
      [DLQ_HEADERS.attempts]: String(failure.attempts),
      [DLQ_HEADERS.groupId]: groupId,
      [DLQ_HEADERS.failedAt]: now.toISOString(),
    },
  };
}

/** Reads a record of a dead-letter topic back; tolerant of missing headers (hand-written records). */
export function fromDeadLetterRecord(record: RawRecord): DeadLetter {
  const h = record.headers;
  return {
    topic: h[DLQ_HEADERS.topic] ?? record.topic.replace(/\.dlq$/, ''),
    partition: Number(h[DLQ_HEADERS.partition] ?? -1),
    offset: h[DLQ_HEADERS.offset] ?? '-1',
    key: record.key,
    value: record.value,
    error: h[DLQ_HEADERS.error] ?? 'unknown',
    attempts: Number(h[DLQ_HEADERS.attempts] ?? 0),
    groupId: h[DLQ_HEADERS.groupId] ?? '',
    failedAt: h[DLQ_HEADERS.failedAt] ?? '',
  };
}
