import type { IHeaders, KafkaMessage } from 'kafkajs';
import type { RawRecord } from '../codec';

/** kafkajs message → adapter-neutral record; values stay text and are decoded by the processor. */
export function toRecord(topic: string, partition: number, m: KafkaMessage): RawRecord {
  return {
    topic,
    partition,
    offset: m.offset,
    key: m.key?.toString('utf8') ?? null,
    value: m.value?.toString('utf8') ?? null,
    headers: textHeaders(m.headers),
  };
}

function textHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    const first = Array.isArray(v) ? v[0] : v;
    if (first !== undefined) out[k] = first.toString();
  }
  return out;
}
