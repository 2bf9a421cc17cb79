import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { TOPICS, type DomainEvent } from '@idp/contracts';
import { OnEvent } from '@idp/nest-kit';
import { SessionService } from './session.service';

export const SESSION_GROUP = 'session-service.sessions';

/**
 * What token-service's events do to sessions: clients join a session when
 * tokens are issued to them in it, and a refresh token reused under the
 * `end_session` response ends its session (ADR 0038; token-service has
 * already revoked the session's grants; session.ended brings back-channel
 * logout to every RP of it). One consumer group for both: the token topic
 * is the busiest, and is read once.
 */
@Controller()
export class TokenEventsConsumer {
  constructor(private readonly sessions: SessionService) {}

  @OnEvent(SESSION_GROUP, TOPICS.token)
  async onTokenEvent(@Payload() event: DomainEvent): Promise<void> {
    if (event.type === 'grant.reuse_detected') {
      const { sid, response } = event.data;
      // Idempotent: a redelivery finds the session ended and appends nothing.
      if (sid && response === 'end_session')
        await this.sessions.end({
          sid,
          reason: 'refresh_token_reuse',
          cause: { id: event.id, correlationId: event.correlationId },
        });
      return;
    }
    if (event.type !== 'grant.access_token_issued' && event.type !== 'grant.id_token_issued')
      return;
    const { sid, clientId, grantId } = event.data;
    if (sid) await this.sessions.join(sid, clientId, grantId, event.correlationId);
  }
}
