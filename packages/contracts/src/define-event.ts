import { z } from 'zod';
import {
  envelopeSchema,
  type EventEnvelope,
  type EventMetadata,
  type PendingEvent,
} from './envelope';
import { systemClock, type Clock } from './clock';
import { uuidv7 } from './uuidv7';

export class EventValidationError extends Error {
  override readonly name = 'EventValidationError';
  constructor(
    message: string,
    readonly issues: readonly string[],
  ) {
    super(message);
  }
}

export interface EventDefinition<Type extends string, Schema extends z.ZodType> {
  readonly type: Type;
  readonly version: number;
  readonly schema: Schema;
  /** Builds a pending event; validates `data` so nothing malformed is ever appended. */
  create(data: z.input<Schema>, meta: EventMetadata): PendingEvent<Type, z.output<Schema>>;
  /** Validates an envelope (from the wire or the store) and narrows its type. */
  parse(raw: unknown): EventEnvelope<Type, z.output<Schema>>;
  is(envelope: EventEnvelope): envelope is EventEnvelope<Type, z.output<Schema>>;
}

export type EventOf<D> =
  D extends EventDefinition<infer T, infer S> ? EventEnvelope<T, z.output<S>> : never;

export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
}

/**
 * Metadata for an event made outside a decider (a delivery journal, a test
 * fixture): a fresh UUIDv7 and the clock's time, here in the open rather
 * than defaulted inside `create`, so a decider cannot come by them unseen.
 */
export function freshEventMeta(
  correlationId: string,
  extra: Partial<Omit<EventMetadata, 'correlationId'>> = {},
  clock: Clock = systemClock,
): EventMetadata {
  const ms = clock.nowMs();
  return { id: uuidv7(ms), occurredAt: new Date(ms).toISOString(), correlationId, ...extra };
}

export function defineEvent<const Type extends string, Schema extends z.ZodType>(
  type: Type,
  version: number,
  schema: Schema,
): EventDefinition<Type, Schema> {
  const full = envelopeSchema.extend({
    type: z.literal(type),
    version: z.literal(version),
    data: schema,
  });
  return {
    type,
    version,
    schema,
    create(data, meta) {
      const parsed = schema.safeParse(data);
      if (!parsed.success) {
        throw new EventValidationError(`invalid ${type} v${version}`, formatIssues(parsed.error));
      }
      return {
        id: meta.id,
        type,
        version,
        occurredAt: meta.occurredAt,
        correlationId: meta.correlationId,
        ...(meta.causationId ? { causationId: meta.causationId } : {}),
        ...(meta.traceparent ? { traceparent: meta.traceparent } : {}),
        data: parsed.data,
      };
    },
    parse(raw) {
      const parsed = full.safeParse(raw);
      if (!parsed.success) {
        throw new EventValidationError(`invalid ${type} v${version}`, formatIssues(parsed.error));
      }
      return parsed.data as EventEnvelope<Type, z.output<Schema>>;
    },
    is(envelope): envelope is EventEnvelope<Type, z.output<Schema>> {
      return envelope.type === type && envelope.version === version;
    },
  };
}
