import { z } from 'zod';
import { actorSchema, type Actor } from './actor';
import { UUID_V7_PATTERN } from './uuidv7';

/** W3C traceparent, version 00, lowercase hex, ids not all zero (as @idp/observability parses it). */
export const TRACEPARENT_PATTERN = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

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
  /** W3C trace context of the request that caused the event (absent on older events). */
  traceparent: z
    .string()
    .regex(TRACEPARENT_PATTERN, 'traceparent must be W3C version 00')
    .optional(),
  /** Who made the admin call that caused the event (absent otherwise, and on older events). */
  actor: actorSchema.optional(),
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
  readonly traceparent?: string;
  readonly actor?: Actor;
  readonly data: Data;
}

/**
 * Per-event metadata a producer supplies; stream and position come from the
 * store. The id and the time are required: a decider takes both from its
 * command's meta (ADR 0020), any other producer says where it got them
 * (`freshEventMeta`).
 */
export interface EventMetadata {
  readonly id: string;
  readonly occurredAt: string;
  readonly correlationId: string;
  readonly causationId?: string;
  readonly traceparent?: string;
}

/**
 * An event not yet appended: everything but its place in a stream. The event
 * store assigns `stream` and `streamVersion` atomically on append.
 */
export type PendingEvent<Type extends string = string, Data = unknown> = Omit<
  EventEnvelope<Type, Data>,
  'stream' | 'streamVersion'
>;
