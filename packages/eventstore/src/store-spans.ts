import { STREAM_PREFIX, type EventEnvelope } from '@idp/contracts';
import { ATTR, tracingEnabled, withSpan } from '@idp/observability';
import type { OutboxEntry } from './outbox.port';

/** The aggregate a stream belongs to (`grant`, `session`...): stream ids can name a user, so only the kind is recorded. */
export function streamKind(stream: string): string {
  for (const [kind, prefix] of Object.entries(STREAM_PREFIX)) {
    if (stream.startsWith(prefix)) return kind;
  }
  return 'other';
}

const SYSTEM = { postgres: 'postgresql', sqlite: 'sqlite' } as const;

/** A span around one append (the transaction it joins is group-committed with others). */
export function appendSpan<T>(
  driver: keyof typeof SYSTEM,
  stream: string,
  events: readonly EventEnvelope[],
  append: () => Promise<T>,
): Promise<T> {
  if (!tracingEnabled()) return append();
  const kind = streamKind(stream);
  return withSpan(
    `append ${kind}`,
    {
      kind: 'client',
      attributes: {
        [ATTR.dbSystemName]: SYSTEM[driver],
        [ATTR.dbOperationName]: 'append',
        'idp.stream.kind': kind,
        'idp.event.count': events.length,
        'idp.event.types': [...new Set(events.map((e) => e.type))].join(','),
      },
    },
    append,
  );
}

/** How many traces one publish span links to at most. */
const MAX_LINKS = 32;

/**
 * A producer span around one publish of a topic's rows. Rows from one trace
 * (the usual case: the relay woken by the commit) make it a child of the
 * span that appended them; rows from several traces make it a new trace
 * linked to each. Consumers continue the envelope's traceparent either way.
 */
export function publishSpan<T>(
  topic: string,
  entries: readonly OutboxEntry[],
  publish: () => Promise<T>,
): Promise<T> {
  if (!tracingEnabled()) return publish();
  const traceparents = [...new Set(entries.map((e) => e.event.traceparent))];
  const single = traceparents.length === 1 ? traceparents[0] : undefined;
  return withSpan(
    `send ${topic}`,
    {
      kind: 'producer',
      parent: single === undefined ? null : { traceparent: single },
      ...(single === undefined ? { links: traceparents.slice(0, MAX_LINKS) } : {}),
      attributes: {
        [ATTR.messagingOperationType]: 'send',
        [ATTR.messagingOperationName]: 'send',
        [ATTR.messagingDestinationName]: topic,
        [ATTR.messagingBatchMessageCount]: entries.length,
      },
    },
    publish,
  );
}
