import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { TOPICS, type DomainEvent } from '@idp/contracts';
import { OnEvent } from '@idp/nest-kit';
import { FanOutScheduler } from './fan-out.scheduler';

/** Its own group: back-channel fan-out has its own offsets, retries and dead letters. */
export const BACKCHANNEL_GROUP = 'session-service.backchannel';

/** session.ended → one durable delivery per RP with a back-channel logout URI. */
@Controller()
export class SessionEndedConsumer {
  constructor(private readonly scheduler: FanOutScheduler) {}

  @OnEvent(BACKCHANNEL_GROUP, TOPICS.session)
  async onSessionEvent(@Payload() event: DomainEvent): Promise<void> {
    if (event.type !== 'session.ended') return;
    const { sid, sub, clientIds } = event.data;
    // Resolves only once the rows are committed, so the offset is committed after them.
    await this.scheduler.schedule({ sid, sub, clientIds });
  }
}
