import type { EventEnvelope } from '@idp/contracts';
import type { StoredEvent } from './event-store.port';
import type { OutboxEntry, OutboxMessage } from './outbox.port';

/** Groups a batch by topic, keeping position order inside each group. */
export function byTopic(entries: readonly OutboxEntry[]): Map<string, OutboxEntry[]> {
  const groups = new Map<string, OutboxEntry[]>();
  for (const entry of entries) {
    const group = groups.get(entry.topic);
    if (group) group.push(entry);
    else groups.set(entry.topic, [entry]);
  }
  return groups;
}

export function toMessage(entry: OutboxEntry): OutboxMessage {
  return { key: entry.key, value: envelopeOf(entry.event) };
}

/** Consumers get the envelope they validate, not the store's bookkeeping. */
function envelopeOf({ position: _position, ...envelope }: StoredEvent): EventEnvelope {
  return envelope;
}
