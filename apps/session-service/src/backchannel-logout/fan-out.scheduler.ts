import { Inject, Injectable } from '@nestjs/common';
import {
  isKnownEvent,
  systemClock,
  uuidv7,
  uuidv7Ids,
  type Clock,
  type IdSource,
  TOKEN_RPC,
  type TokenRpcClient,
} from '@idp/contracts';
import { sessionStream } from '@idp/domain';
import { EVENT_STORE, type EventStore } from '@idp/eventstore';
import { CLOCK, ID_SOURCE } from '@idp/nest-kit';
import { currentContext } from '@idp/observability';
import { BACKCHANNEL_DISPATCHER } from './backchannel.tokens';
import { DeliveryJournal } from './delivery-journal';
import { DELIVERY_STORE, type DeliveryStore } from './delivery-store.port';
import type { Delivery } from './delivery';
import type { BackchannelDispatcher } from './dispatcher';

export interface EndedSessionFacts {
  readonly sid: string;
  readonly sub: string;
  readonly clientIds: readonly string[];
  /** The event that ended the session (or the late join): the journal names it as the cause. */
  readonly cause?: { readonly id: string; readonly correlationId: string };
}

/**
 * Turns a session.ended (or a client that joined after it) into one delivery
 * per client that registered a backchannel_logout_uri. Idempotent: the rows
 * are keyed by (sid, client_id), so a redelivered event schedules nothing
 * twice; they are durable before this returns, i.e. before the consumer
 * commits the Kafka offset.
 *
 * The journal follows from the rows, not from this call's inserts: a crash
 * between inserting the rows and appending their `…_scheduled` event leaves
 * rows that a redelivery no longer inserts, so a redelivery journals every
 * row of the session that the session's stream does not list yet.
 */
@Injectable()
export class FanOutScheduler {
  private readonly journal: DeliveryJournal;

  constructor(
    @Inject(DELIVERY_STORE) private readonly store: DeliveryStore,
    @Inject(TOKEN_RPC) private readonly tokens: TokenRpcClient,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(BACKCHANNEL_DISPATCHER) private readonly dispatcher: BackchannelDispatcher,
    @Inject(CLOCK) clock: Clock = systemClock,
    @Inject(ID_SOURCE) ids: IdSource = uuidv7Ids(clock),
  ) {
    this.journal = new DeliveryJournal(events, clock, ids);
  }

  /** Returns how many deliveries were newly scheduled. */
  async schedule(ended: EndedSessionFacts): Promise<number> {
    const clientIds = [...new Set(ended.clientIds)];
    if (clientIds.length === 0) return 0;
    const { targets } = await this.tokens.backchannelLogoutTargets({ clientIds });
    if (targets.length === 0) return 0;
    // The consumer runs in the context of the logout that ended the session (its request id).
    const cause = currentContext();
    const inserted = await this.store.schedule(
      targets.map((t) => ({
        sid: ended.sid,
        clientId: t.clientId,
        sub: ended.sub,
        // Fixed here: every attempt of this delivery carries this jti (the RP deduplicates by it).
        jti: uuidv7(),
        uri: t.uri,
        alg: t.alg,
        ...(cause === undefined
          ? {}
          : { requestId: cause.requestId, traceparent: cause.traceparent }),
      })),
      Date.now(),
    );
    if (inserted.length > 0) this.dispatcher.wake();
    const insertedIds = new Set(inserted.map((d) => d.clientId));
    const existing = targets.map((t) => t.clientId).filter((c) => !insertedIds.has(c));
    const unjournaled = [
      ...inserted,
      ...(existing.length > 0 ? await this.notYetJournaled(ended.sid, existing) : []),
    ];
    if (unjournaled.length > 0)
      await this.journal.scheduled(unjournaled, 'session_ended', ended.cause);
    return inserted.length;
  }

  /** The rows of these clients that no `…_scheduled` event on the session's stream names. */
  private async notYetJournaled(sid: string, clientIds: readonly string[]): Promise<Delivery[]> {
    const journaled = new Set<string>();
    for (const event of await this.events.readStream(sessionStream(sid))) {
      if (!isKnownEvent(event) || event.type !== 'session.backchannel_logout_scheduled') continue;
      for (const d of event.data.deliveries) journaled.add(d.clientId);
    }
    const rows = await Promise.all(
      clientIds
        .filter((clientId) => !journaled.has(clientId))
        .map((clientId) => this.store.get({ sid, clientId })),
    );
    return rows.filter((row): row is Delivery => row !== undefined);
  }
}
