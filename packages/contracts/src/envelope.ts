import { z } from 'zod';
import { UUID_V7_PATTERN } from './uuidv7';

/**
 * The one envelope every event travels in, in the store, on Kafka and in the
 * in-process bus. `version` is the schema version of `data` for this `type`;
 * `streamVersion` is the event's position in its stream (1-based).
 */
export const envelopeSchema = z.object({
  id: z.string().regex(UUID_V7_PATTERN, 'id must be a UUIDv7'),
  type: z.string().regex(/^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/, 'type must be <aggregate>.<fact>'),
  version: z.number().int().positive(),
  stream: z.string().min(1).max(200),
  streamVersion: z.number().int().positive(),
  occurredAt: z.iso.datetime({ offset: true }),
  correlationId: z.string().min(1).max(200),
  causationId: z.string().min(1).max(200).optional(),
  data: z.unknown(),
});

export interface EventEnvelope<Type extends string = string, Data = unknown> {
  readonly id: string;
  readonly type: Type;
  readonly version: number;
  readonly stream: string;
  readonly streamVersion: number;
  readonly occurredAt: string;
  readonly correlationId: string;
  readonly causationId?: string;
  readonly data: Data;
}

/** Per-event metadata a producer supplies; stream and position come from the store. */
export interface EventMetadata {
  readonly id?: string;
  readonly occurredAt?: string;
  readonly correlationId: string;
  readonly causationId?: string;
}

/**
 * An event not yet appended: everything but its place in a stream. The event
 * store assigns `stream` and `streamVersion` atomically on append.
 */
export type PendingEvent<Type extends string = string, Data = unknown> = Omit<
  EventEnvelope<Type, Data>,
  'stream' | 'streamVersion'
>;
