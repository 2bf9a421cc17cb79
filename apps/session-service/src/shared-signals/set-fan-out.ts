import { uuidv7 } from '@idp/contracts';
import type { NewSetDelivery, SetClaims } from './set-delivery';
import type { Signal } from './signal-mapping';
import type { SsfStore, StreamRow } from './ssf-store.port';
import { subjectIdIn } from './subject-formats';

/** Whether a stream takes this signal: it asked for the type and did not remove the subject. */
export function streamTakes(stream: StreamRow, signal: Signal): boolean {
  if (stream.status !== 'enabled' && stream.status !== 'paused') return false;
  if (!stream.eventsDelivered.includes(signal.eventType)) return false;
  return !signal.subjectKeys.some((key) => stream.excluded.includes(key));
}

/**
 * One stream's delivery of one SET; the jti and the subject are fixed here,
 * for every attempt and poll: the subject in the format the stream asked
 * for when the SET was queued. A signal without principals (verification,
 * stream-updated: about the stream itself) keeps its own subject.
 */
export function deliveryFor(
  stream: StreamRow,
  signal: Pick<Signal, 'eventType' | 'sourceKey' | 'iat' | 'subId' | 'payload'> & {
    readonly txn?: string;
    readonly principals?: Signal['principals'];
  },
): NewSetDelivery {
  const claims: SetClaims = {
    iat: signal.iat,
    ...(signal.txn === undefined ? {} : { txn: signal.txn }),
    subId:
      stream.subjectFormat === undefined || signal.principals === undefined
        ? signal.subId
        : subjectIdIn(stream.subjectFormat, signal.principals),
    events: { [signal.eventType]: signal.payload },
  };
  return {
    streamId: stream.streamId,
    jti: uuidv7(),
    clientId: stream.clientId,
    eventType: signal.eventType,
    sourceKey: signal.sourceKey,
    method: stream.method,
    claims,
  };
}

/**
 * Addresses signals to the streams that take them and queues one delivery
 * per (stream, SET) in one INSERT per 1,000 rows, then wakes the dispatcher
 * (no polling interval on the fast path). Idempotent: a redelivered source
 * event inserts nothing (the rows are unique per stream and source key).
 */
export class SetFanOut {
  constructor(
    private readonly store: SsfStore,
    private readonly wake: () => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** A stream was enabled (its held SETs are due), or a dead letter requeued. */
  wakeDispatcher(): void {
    this.wake();
  }

  /** Returns how many deliveries were newly queued. */
  async schedule(signals: readonly Signal[]): Promise<number> {
    if (signals.length === 0) return 0;
    const streams = await this.store.receivingStreams();
    const rows = signals.flatMap((signal) =>
      streams.filter((s) => streamTakes(s, signal)).map((s) => deliveryFor(s, signal)),
    );
    return this.queue(rows);
  }

  /** Queues SETs addressed by the caller (verification, stream-updated): always sent. */
  async queue(rows: readonly NewSetDelivery[]): Promise<number> {
    if (rows.length === 0) return 0;
    const inserted = await this.store.schedule(rows, this.now());
    if (inserted.some((d) => d.method === 'push')) this.wake();
    return inserted.length;
  }
}
