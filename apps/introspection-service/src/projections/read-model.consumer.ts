import { Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { TOPICS, type DomainEvent } from '@idp/contracts';
import { observeRevocationApplied, OnEvent } from '@idp/nest-kit';
import type { Projector } from '@idp/eventsourcing';
import { INTROSPECTION_PROJECTOR } from './projections.module.tokens';

export const INTROSPECTION_GROUP = 'introspection-service.read-model';

/** Feeds the introspection read model from the event topics (one consumer group for all replicas). */
@Controller()
export class ReadModelConsumer {
  constructor(@Inject(INTROSPECTION_PROJECTOR) private readonly projector: Projector) {}

  @OnEvent(INTROSPECTION_GROUP, TOPICS.key)
  onKeyEvent(@Payload() event: DomainEvent): Promise<void> {
    return this.projector.apply(event);
  }

  @OnEvent(INTROSPECTION_GROUP, TOPICS.token)
  async onGrantEvent(@Payload() event: DomainEvent): Promise<void> {
    await this.projector.apply(event);
    // Live consumption only: a replay at start would measure the age of old events.
    observeRevocationApplied(event, Date.now());
  }

  @OnEvent(INTROSPECTION_GROUP, TOPICS.client)
  onClientEvent(@Payload() event: DomainEvent): Promise<void> {
    return this.projector.apply(event);
  }
}
