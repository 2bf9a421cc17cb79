import { Inject, Injectable } from '@nestjs/common';
import { uuidv7 } from '@idp/contracts';
import { EVENT_STORE, type EventStore } from '@idp/eventstore';
import { TOKEN_RPC, type TokenRpcClient } from '@idp/nest-kit';
import { BACKCHANNEL_DISPATCHER } from './backchannel.tokens';
import { DeliveryJournal } from './delivery-journal';
import { DELIVERY_STORE, type DeliveryStore } from './delivery-store.port';
import type { BackchannelDispatcher } from './dispatcher';

export interface EndedSessionFacts {
  readonly sid: string;
  readonly sub: string;
  readonly clientIds: readonly string[];
}

/**
 * Turns a session.ended into one delivery per client that registered a
 * backchannel_logout_uri. Idempotent: the rows are keyed by (sid, client_id),
 * so a redelivered event schedules nothing twice; they are durable before
 * this returns, i.e. before the consumer commits the Kafka offset.
 */
@Injectable()
export class FanOutScheduler {
  private readonly journal: DeliveryJournal;

  constructor(
    @Inject(DELIVERY_STORE) private readonly store: DeliveryStore,
    @Inject(TOKEN_RPC) private readonly tokens: TokenRpcClient,
    @Inject(EVENT_STORE) events: EventStore,
    @Inject(BACKCHANNEL_DISPATCHER) private readonly dispatcher: BackchannelDispatcher,
  ) {
    this.journal = new DeliveryJournal(events);
  }

  /** Returns how many deliveries were newly scheduled. */
  async schedule(ended: EndedSessionFacts): Promise<number> {
    const clientIds = [...new Set(ended.clientIds)];
    if (clientIds.length === 0) return 0;
    const { targets } = await this.tokens.backchannelLogoutTargets({ clientIds });
    if (targets.length === 0) return 0;
    const inserted = await this.store.schedule(
      targets.map((t) => ({
        sid: ended.sid,
        clientId: t.clientId,
        sub: ended.sub,
        // Fixed here: every attempt of this delivery carries this jti (the RP deduplicates by it).
        jti: uuidv7(),
        uri: t.uri,
        alg: t.alg,
      })),
      Date.now(),
    );
    if (inserted.length > 0) {
      this.dispatcher.wake();
      await this.journal.scheduled(inserted, 'session_ended');
    }
    return inserted.length;
  }
}
