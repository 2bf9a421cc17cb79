import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { TOPICS, type DomainEvent } from '@idp/contracts';
import { OnEvent } from '@idp/nest-kit';
import { SessionService } from './session.service';

export const SESSION_GROUP = 'session-service.sessions';

/** Clients join a session when tokens are issued to them in it (from token-service's events). */
@Controller()
export class TokenEventsConsumer {
  constructor(private readonly sessions: SessionService) {}

  @OnEvent(SESSION_GROUP, TOPICS.token)
  async onTokenEvent(@Payload() event: DomainEvent): Promise<void> {
    if (event.type !== 'grant.access_token_issued' && event.type !== 'grant.id_token_issued')
      return;
    const { sid, clientId, grantId } = event.data;
    if (sid) await this.sessions.join(sid, clientId, grantId, event.correlationId);
  }
}
