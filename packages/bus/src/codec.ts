import {
  EventValidationError,
  parseEvent,
  type DomainEvent,
  type EventEnvelope,
} from '@idp/contracts';
import { REQUEST_ID_HEADER, TRACEPARENT_HEADER } from '@idp/observability';
import type { BusMessage } from './event-bus.port';

/** A message as it sits in a log, adapter-neutral: values and headers are text. */
export interface RawRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: string | null;
  readonly headers: Readonly<Record<string, string>>;
}

export interface EncodedMessage {
  readonly key: string;
  readonly value: string;
  readonly headers: Record<string, string>;
}

/**
 * Validates the whole batch before anything is sent, so an invalid event means
 * nothing of the batch is published. The original envelope is sent (not the
 * parsed copy) so fields a newer producer added survive for newer consumers.
 */
export function encodeAll(messages: readonly BusMessage[]): EncodedMessage[] {
  return messages.map((m, i) => {
    let event: DomainEvent;
    try {
      event = parseEvent(m.value);
    } catch (e) {
      if (e instanceof EventValidationError) {
        throw new EventValidationError(`message ${i} (key ${m.key}): ${e.message}`, e.issues);
      }
      throw e;
    }
    return {
      key: m.key,
      value: JSON.stringify(m.value),
      // Lets tools route or filter without parsing the value (which may hold token hashes).
      headers: {
        'content-type': 'application/json',
        'event-type': event.type,
        'event-id': event.id,
        ...contextHeaders(m.value),
      },
    };
  });
}

/**
 * The request context that caused the event, as the headers a consumer
 * continues it from (`x-request-id` = the correlation id, `traceparent`).
 */
function contextHeaders(envelope: EventEnvelope): Record<string, string> {
  const headers: Record<string, string> = { [REQUEST_ID_HEADER]: envelope.correlationId };
  if (envelope.traceparent !== undefined) headers[TRACEPARENT_HEADER] = envelope.traceparent;
  return headers;
}

/** Consume-side gate: throws a DecodeError whose message never quotes the payload. */
export function decodeEvent(value: string | null): DomainEvent {
  if (value === null || value === '') throw new DecodeError('value is empty');
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    // V8's SyntaxError message quotes the payload; keep it out of headers and logs.
    throw new DecodeError('value is not valid JSON');
  }
  try {
    return parseEvent(json);
  } catch (e) {
    if (e instanceof EventValidationError) {
      throw new DecodeError(`${e.message}: ${e.issues.join('; ')}`);
    }
    throw e;
  }
}

export class DecodeError extends Error {
  override readonly name = 'DecodeError';
}

const MAX_ERROR_LENGTH = 1000;

export function describeError(e: unknown): string {
  const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH)}…` : text;
}
