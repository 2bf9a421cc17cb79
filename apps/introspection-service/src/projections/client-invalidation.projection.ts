import { Inject, Injectable } from '@nestjs/common';
import type { ClientEvent, DomainEvent } from '@idp/contracts';
import { CACHE_INVALIDATIONS, type CacheInvalidations } from '@idp/cache';
import type { Projection } from '@idp/eventsourcing';
import { CLIENT_INVALIDATION_CHANNEL } from '../introspection/caller-authenticator';

/**
 * Tells every replica that a client changed (secret rotated, updated,
 * deleted...), so each drops the callers it remembered. One replica of the
 * consumer group sees the event; Redis pub/sub reaches them all. A failed
 * publish rejects and the event is retried.
 */
@Injectable()
export class ClientInvalidationProjection implements Projection {
  readonly name = 'client-invalidation';
  readonly handles = [
    'client.registered',
    'client.updated',
    'client.secret_rotated',
    'client.deleted',
  ] as const;

  constructor(@Inject(CACHE_INVALIDATIONS) private readonly invalidations: CacheInvalidations) {}

  async apply(event: DomainEvent): Promise<void> {
    const { clientId } = (event as ClientEvent).data;
    await this.invalidations.publish(CLIENT_INVALIDATION_CHANNEL, `client:${clientId}`);
  }
}
