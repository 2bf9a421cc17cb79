import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { TOPICS, type DomainEvent } from '@idp/contracts';
import { OnEvent } from '@idp/nest-kit';
import { FanOutScheduler } from './fan-out.scheduler';

/** Its own group: back-channel fan-out has its own offsets, retries and dead letters. */
export const BACKCHANNEL_GROUP = 'session-service.backchannel';

/**
 * session.ended → one durable delivery per RP with a back-channel logout URI;
 * session.client_joined_after_end → the same for the one client that joined
 * too late to be named by session.ended (issue #12: the logout reaches every
 * client that took part, whatever order the events arrived in).
 */
@Controller()
export class SessionEndedConsumer {
  constructor(private readonly scheduler: FanOutScheduler) {}

  @OnEvent(BACKCHANNEL_GROUP, TOPICS.session)
  async onSessionEvent(@Payload() event: DomainEvent): Promise<void> {
    // Each resolves only once the rows are committed, so the offset is committed after them.
    const cause = { id: event.id, correlationId: event.correlationId };
    if (event.type === 'session.ended') {
      const { sid, sub, clientIds } = event.data;
      await this.scheduler.schedule({ sid, sub, clientIds, cause });
    } else if (event.type === 'session.client_joined_after_end') {
      const { sid, sub, clientId } = event.data;
      await this.scheduler.schedule({ sid, sub, clientIds: [clientId], cause });
    }
  }
}
