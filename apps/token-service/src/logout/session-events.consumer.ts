import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { TOPICS, type DomainEvent } from '@idp/contracts';
import { OnEvent } from '@idp/nest-kit';
import { SessionGrants } from './session-grants.service';

export const LOGOUT_GROUP = 'token-service.logout';

/**
 * Logout's effect on tokens, from session-service's events: a session that
 * ended, for whatever reason, takes its grants with it. auth-api already
 * revokes them synchronously on logout; this consumer is what holds when
 * auth-api (or an admin call) died between ending the session and revoking,
 * and what covers sessions ended without auth-api. Redelivery is harmless:
 * revoked grants are not revoked again.
 *
 * A client that joined the session after it ended (its tokens were minted
 * just before the logout, or its join was delayed by a broker outage) brings
 * the same revocation again: grants are found by sid, so a grant committed
 * after the first pass is caught by this one.
 */
@Controller()
export class SessionEventsConsumer {
  constructor(private readonly sessionGrants: SessionGrants) {}

  @OnEvent(LOGOUT_GROUP, TOPICS.session)
  async onSessionEvent(@Payload() event: DomainEvent): Promise<void> {
    if (event.type === 'session.ended')
      await this.sessionGrants.revokeEnded(event.data.sid, {
        id: event.id,
        correlationId: event.correlationId,
        reason: event.data.reason,
      });
    else if (event.type === 'session.client_joined_after_end')
      await this.sessionGrants.revokeEnded(event.data.sid, {
        id: event.id,
        correlationId: event.correlationId,
      });
  }
}
