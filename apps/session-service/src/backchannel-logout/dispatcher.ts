import {
  LeasedDispatcher,
  type DeliveryOutcome,
  type DispatchStep,
  type LeasedDispatcherOptions,
} from '../delivery-queue/leased-dispatcher';
import type { Delivery, DeliveryKey } from './delivery';
import { postInSpan } from './delivery-span';
import type { DeliveryStore } from './delivery-store.port';
import type { LogoutTokenPoster } from './logout-token-poster';

export interface LogoutTokenToSign {
  readonly aud: string;
  readonly sub: string;
  readonly sid: string;
  readonly jti: string;
  readonly alg: string;
}

/** One attempt's outcome with the delivery it belongs to (for the event log and metrics). */
export type AttemptOutcome = DeliveryOutcome<Delivery>;

export interface DispatcherPorts {
  readonly store: DeliveryStore;
  /** Signs in order (token-service's signLogoutTokens). */
  readonly sign: (tokens: readonly LogoutTokenToSign[]) => Promise<string[]>;
  readonly post: LogoutTokenPoster;
  /**
   * Appends the outcomes to the event log; runs before the store records
   * them, so a crash in between repeats an event, it never loses one.
   */
  readonly journal: (outcomes: readonly AttemptOutcome[]) => Promise<void>;
  /** After the store recorded them (metrics). */
  readonly onRecorded?: (outcomes: readonly AttemptOutcome[]) => void;
  readonly onError?: (what: string, err: unknown) => void;
  readonly now?: () => number;
  readonly random?: () => number;
}

/** Here `concurrency` is POSTs in flight, `timeoutMs` the per-RP deadline, `signBatch` tokens a call. */
export type DispatcherOptions = LeasedDispatcherOptions;

/** How each failing step reads in the log. */
const STEP: Readonly<Record<DispatchStep, string>> = {
  claim: 'claiming due deliveries',
  // Back-channel sends need nothing looked up per claim, so this step cannot fail.
  prepare: 'preparing claimed deliveries',
  sign: 'signing logout tokens',
  send: 'posting a logout token',
  release: 'releasing deliveries',
  record: 'recording delivery outcomes',
};

/**
 * Delivers due back-channel logout tokens: the leased-queue dispatcher
 * (ADR 0011, ADR 0039) over the `backchannel_deliveries` table. Each POST
 * runs in the context of the logout that scheduled it; outcomes are
 * journalled on the session's stream before the store records them. New
 * fan-outs and admin retries {@link wake} it.
 */
export class BackchannelDispatcher extends LeasedDispatcher<Delivery, DeliveryKey> {
  constructor(ports: DispatcherPorts, options: DispatcherOptions) {
    super(
      {
        // The store, journal, onRecorded, now and random as they are; the rest adapted.
        ...ports,
        keyOf: ({ sid, clientId }) => ({ sid, clientId }),
        prepare: () => Promise.resolve(undefined),
        sign: (batch) =>
          ports.sign(
            batch.map((d) => ({ aud: d.clientId, sub: d.sub, sid: d.sid, jti: d.jti, alg: d.alg })),
          ),
        // In the context of the logout that scheduled it: its log lines and the POST's traceparent.
        send: (delivery, token) => postInSpan(delivery, () => ports.post(delivery.uri, token)),
        onError: (step, err) => ports.onError?.(STEP[step], err),
      },
      options,
    );
  }
}
