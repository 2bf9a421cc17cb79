import {
  LeasedDispatcher,
  type DeliveryOutcome,
  type DispatchStep,
  type LeasedDispatcherOptions,
} from '../delivery-queue/leased-dispatcher';
import type { AttemptResult, SetDelivery, SetDeliveryKey } from './set-delivery';
import type { SsfStore, StreamRow } from './ssf-store.port';

/** Where one push goes: the stream's endpoint and the receiver's Authorization header, if any. */
export interface PushTarget {
  readonly endpointUrl: string;
  readonly authorization?: string;
}

/** Sends one SET to one receiver (RFC 8935); a port so the dispatcher is tested without sockets. */
export type SetPoster = (target: PushTarget, set: string) => Promise<AttemptResult>;

/** One attempt's outcome with its delivery (metrics). */
export type SetAttemptOutcome = DeliveryOutcome<SetDelivery>;

export interface SetDispatcherPorts {
  readonly store: SsfStore;
  /** Signs in order (token-service's signSecurityEvents). */
  readonly sign: (deliveries: readonly SetDelivery[]) => Promise<string[]>;
  readonly post: SetPoster;
  /** The receiver's Authorization header from its sealed form; undefined if it does not open. */
  readonly openAuthorization: (streamId: string, sealed: string) => string | undefined;
  readonly onRecorded?: (outcomes: readonly SetAttemptOutcome[]) => void;
  readonly onError?: (what: string, err: unknown) => void;
  readonly now?: () => number;
  readonly random?: () => number;
}

/** Here `concurrency` is pushes in flight, `timeoutMs` the per-receiver deadline, `signBatch` SETs a call. */
export type SetDispatcherOptions = LeasedDispatcherOptions;

/** How each failing step reads in the log. */
const STEP: Readonly<Record<DispatchStep, string>> = {
  claim: 'claiming due SET deliveries',
  prepare: 'reading the streams of claimed SETs',
  sign: 'signing SETs',
  send: 'pushing a SET',
  release: 'releasing SET deliveries',
  record: 'recording SET delivery outcomes',
};

/** The streams of one claim, by id: read once for all its pushes. */
type StreamsById = ReadonlyMap<string, StreamRow>;

/**
 * Pushes due SETs (RFC 8935): the leased-queue dispatcher of back-channel
 * logout (ADR 0011, ADR 0039) over the SET queue. The store claims only
 * deliveries of enabled push streams; each claim's streams are read once,
 * so every push goes to the endpoint and with the Authorization header the
 * stream has now. Scheduled SETs, an enabled stream and admin retries
 * {@link wake} it.
 */
export class SetDispatcher extends LeasedDispatcher<SetDelivery, SetDeliveryKey, StreamsById> {
  constructor(ports: SetDispatcherPorts, options: SetDispatcherOptions) {
    super(
      {
        // The store, sign, onRecorded, now and random as they are; the rest adapted.
        ...ports,
        keyOf: ({ streamId, jti }) => ({ streamId, jti }),
        prepare: async (claimed) => {
          const ids = [...new Set(claimed.map((d) => d.streamId))];
          return new Map((await ports.store.streamsById(ids)).map((s) => [s.streamId, s]));
        },
        send: (delivery, set, streams) => push(ports, set, streams.get(delivery.streamId)),
        onError: (step, err) => ports.onError?.(STEP[step], err),
      },
      // 20 ms, not the generic 25: what this queue has always flushed at.
      { ...options, flushMs: options.flushMs ?? 20 },
    );
  }
}

/** One push to the stream as it is now; a stream that can no longer take it is a permanent failure. */
async function push(
  ports: SetDispatcherPorts,
  set: string,
  stream: StreamRow | undefined,
): Promise<AttemptResult> {
  if (stream?.method !== 'push' || stream.endpointUrl === undefined)
    // Changed to poll (or gone) since it was scheduled: nothing to push to.
    return { ok: false, error: 'the stream no longer has a push endpoint', permanent: true };
  let authorization: string | undefined;
  if (stream.sealedAuthorization !== undefined) {
    authorization = ports.openAuthorization(stream.streamId, stream.sealedAuthorization);
    if (authorization === undefined)
      return {
        ok: false,
        error: 'the authorization_header does not open (KEY_ENCRYPTION_KEY changed?)',
        permanent: true,
      };
  }
  return ports.post(
    { endpointUrl: stream.endpointUrl, ...(authorization === undefined ? {} : { authorization }) },
    set,
  );
}
