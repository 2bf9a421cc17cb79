import { Inject, Injectable } from '@nestjs/common';
import type { SsfDeliveryView } from '@idp/contracts';
import { OAuthError } from '@idp/oauth-errors';
import type { SetDeliveryKey } from './set-delivery';
import type { SetFanOut } from './set-fan-out';
import { SSF_STORE, type SsfStore } from './ssf-store.port';
import { SET_FAN_OUT } from './ssf.tokens';
import { deliveryView } from './stream-views';

/** The admin API's view of dead-lettered SETs, and the retry that puts one back (same jti). */
@Injectable()
export class SetDeadLetters {
  constructor(
    @Inject(SSF_STORE) private readonly store: SsfStore,
    @Inject(SET_FAN_OUT) private readonly fanOut: SetFanOut,
  ) {}

  async list(page: { limit: number; after?: SetDeliveryKey }): Promise<SsfDeliveryView[]> {
    return (await this.store.deadLetters(page)).map(deliveryView);
  }

  async retry(key: SetDeliveryKey): Promise<SsfDeliveryView> {
    const result = await this.store.retry(key, Date.now());
    switch (result.kind) {
      case 'not_found':
        throw new OAuthError('invalid_request', {
          status: 404,
          description: 'no SET delivery for this stream and jti',
        });
      case 'not_dead_lettered':
        throw new OAuthError('invalid_request', {
          status: 409,
          description: `the delivery is ${result.delivery.status}, not dead-lettered`,
        });
      case 'requeued':
        this.fanOut.wakeDispatcher();
        return deliveryView(result.delivery);
    }
  }
}
