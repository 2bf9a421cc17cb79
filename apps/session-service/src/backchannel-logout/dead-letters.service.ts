import { Inject, Injectable } from '@nestjs/common';
import {
  systemClock,
  uuidv7Ids,
  type BackchannelDeliveryView,
  type Clock,
  type IdSource,
} from '@idp/contracts';
import { EVENT_STORE, type EventStore } from '@idp/eventstore';
import { CLOCK, ID_SOURCE } from '@idp/nest-kit';
import { outsideActor } from '@idp/eventsourcing';
import { OAuthError } from '@idp/oauth-errors';
import { BACKCHANNEL_DISPATCHER } from './backchannel.tokens';
import type { Delivery, DeliveryKey } from './delivery';
import { DeliveryJournal } from './delivery-journal';
import { DELIVERY_STORE, type DeliveryStore } from './delivery-store.port';
import type { BackchannelDispatcher } from './dispatcher';

const view = (d: Delivery): BackchannelDeliveryView => ({ ...d });

/** Operators' view of deliveries that ran out of attempts, and the way back into the queue. */
@Injectable()
export class DeadLetters {
  private readonly journal: DeliveryJournal;

  constructor(
    @Inject(DELIVERY_STORE) private readonly store: DeliveryStore,
    @Inject(EVENT_STORE) events: EventStore,
    @Inject(BACKCHANNEL_DISPATCHER) private readonly dispatcher: BackchannelDispatcher,
    @Inject(CLOCK) clock: Clock = systemClock,
    @Inject(ID_SOURCE) ids: IdSource = uuidv7Ids(clock),
  ) {
    this.journal = new DeliveryJournal(events, clock, ids);
  }

  async list(page: { limit: number; after?: DeliveryKey }): Promise<BackchannelDeliveryView[]> {
    return (await this.store.deadLetters(page)).map(view);
  }

  /** 404 unknown, 409 not dead-lettered (pending ones retry on their own; delivered is final). */
  async retry(key: DeliveryKey): Promise<BackchannelDeliveryView> {
    const result = await this.store.retry(key, Date.now());
    switch (result.kind) {
      case 'not_found':
        throw new OAuthError('invalid_request', {
          status: 404,
          description: 'no back-channel logout delivery for this sid and client_id',
        });
      case 'not_dead_lettered':
        throw new OAuthError('invalid_request', {
          status: 409,
          description: `the delivery is ${result.delivery.status}, not dead-lettered`,
        });
      case 'requeued':
        // The delivery loop's later events are not the caller's (only the scheduling is).
        outsideActor(() => this.dispatcher.wake());
        await this.journal.scheduled([result.delivery], 'admin_retry');
        return view(result.delivery);
    }
  }
}
