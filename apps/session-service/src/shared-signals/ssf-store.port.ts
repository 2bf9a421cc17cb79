import type { SsfSubjectFormat } from '@idp/contracts';
import type { NewSetDelivery, SetDelivery, SetDeliveryKey, Transition } from './set-delivery';

/** Nest injection token for the {@link SsfStore} port. */
export const SSF_STORE = Symbol('SsfStore');

/**
 * One row of the streams' working copy: what the fan-out and the dispatcher
 * need of a stream, projected from its `ssf-stream-<id>` events.
 */
export interface StreamRow {
  readonly streamId: string;
  readonly clientId: string;
  readonly status: 'enabled' | 'paused' | 'disabled' | 'deleted';
  readonly method: 'push' | 'poll';
  readonly endpointUrl?: string;
  /** Sealed (AuthorizationBox); opened only to send. */
  readonly sealedAuthorization?: string;
  readonly eventsDelivered: readonly string[];
  /** The subject identifier format the receiver asked for; absent: each event type's own shape. */
  readonly subjectFormat?: SsfSubjectFormat;
  /** Canonical keys of the subjects the receiver removed. */
  readonly excluded: readonly string[];
  /** The stream's event count this row was folded from: an older fold never overwrites a newer one. */
  readonly version: number;
}

export interface RecordedSetTransition extends SetDeliveryKey {
  readonly transition: Transition;
}

export interface SetDeadLetterPage {
  readonly limit: number;
  readonly after?: SetDeliveryKey;
}

export type SetRetryResult =
  | { readonly kind: 'requeued'; readonly delivery: SetDelivery }
  | { readonly kind: 'not_found' }
  | { readonly kind: 'not_dead_lettered'; readonly delivery: SetDelivery };

/**
 * The transmitter's tables, owned by session-service: `ssf_streams` (the
 * working copy of live streams, rebuilt from events at any time) and
 * `ssf_deliveries` (the durable SET queue, leased per row like the
 * back-channel queue of ADR 0011, so replicas share it). Times are epoch
 * milliseconds from the caller.
 */
export interface SsfStore {
  /** Writes the row unless the stored one was folded from at least as many events. */
  upsertStream(row: StreamRow): Promise<void>;
  getStream(streamId: string): Promise<StreamRow | undefined>;
  /** Streams that may receive a new SET: not deleted, not disabled. */
  receivingStreams(): Promise<StreamRow[]>;
  /** The receiver's streams that are not deleted. */
  streamsOf(clientId: string): Promise<StreamRow[]>;
  streamsById(streamIds: readonly string[]): Promise<StreamRow[]>;

  /**
   * SSF 1.0 8.1.4.2: records a verification request for the stream at `now`
   * unless the previous one is less than `intervalMs` old; atomic, so two
   * replicas cannot both pass. Otherwise how long until one may be asked for.
   */
  startVerification(
    streamId: string,
    now: number,
    intervalMs: number,
  ): Promise<{ readonly ok: true } | { readonly ok: false; readonly retryAfterMs: number }>;
  /**
   * Takes back the verification started at `startedAt` (its SET could not be
   * queued), unless a later one has started since: the receiver may ask again
   * at once instead of waiting out an interval for a SET that never came.
   */
  cancelVerification(streamId: string, startedAt: number): Promise<void>;
  /** RFC 8936 long polls: which of these streams are enabled and have a SET waiting to be polled. */
  pollStreamsReady(streamIds: readonly string[]): Promise<string[]>;

  /**
   * Inserts the rows whose (streamId, sourceKey) is new, due at `now`, for
   * streams that are enabled or paused at that moment (a disabled stream
   * holds nothing, SSF 1.0 8.1.2.1); returns those.
   */
  schedule(deliveries: readonly NewSetDelivery[], now: number): Promise<SetDelivery[]>;
  /** Leases up to `limit` due push deliveries of enabled streams to `owner`, most overdue first. */
  claimDue(limit: number, now: number, leaseMs: number, owner: string): Promise<SetDelivery[]>;
  record(outcomes: readonly RecordedSetTransition[], now: number, owner: string): Promise<number>;
  release(keys: readonly SetDeliveryKey[], dueAt: number, owner: string): Promise<void>;
  /** When the earliest pending push delivery of an enabled stream falls due; undefined if none. */
  nextDueAt(): Promise<number | undefined>;
  get(key: SetDeliveryKey): Promise<SetDelivery | undefined>;

  /** RFC 8936: up to `limit` pending SETs of a poll stream, oldest first. */
  pendingPolled(streamId: string, limit: number): Promise<SetDelivery[]>;
  /** RFC 8936 `ack`: pending SETs of the stream become delivered; returns how many. */
  acknowledge(streamId: string, jtis: readonly string[], now: number): Promise<number>;
  /** RFC 8936 `setErrs`: the receiver refused these; dead-lettered with its error. */
  refuse(
    streamId: string,
    errors: readonly { jti: string; error: string }[],
    now: number,
  ): Promise<number>;

  /** Drops the stream's undelivered rows (disabled) or all of them (deleted); returns how many. */
  dropPending(streamId: string): Promise<number>;
  dropAll(streamId: string): Promise<number>;

  deadLetters(page: SetDeadLetterPage): Promise<SetDelivery[]>;
  retry(key: SetDeliveryKey, now: number): Promise<SetRetryResult>;
  counts(): Promise<{ readonly pending: number; readonly deadLettered: number }>;
  /** Poll deliveries still pending and created before `before` are dead-lettered (retention). */
  expirePolled(before: number, now: number): Promise<number>;
  pruneDelivered(before: number, limit: number): Promise<number>;
  close(): Promise<void>;
}
