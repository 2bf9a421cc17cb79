import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { TOPICS, type DomainEvent } from '@idp/contracts';
import { OnEvent } from '@idp/nest-kit';
import { SessionService } from './session.service';

export const USER_EVENTS_GROUP = 'session-service.users';

/**
 * A deleted account's SSO sessions end (reason `admin`), with every effect
 * of a logout: its clients hear about it over back-channel logout, and the
 * browser is asked to sign in again instead of carrying a session for
 * nobody. Its grants were already revoked by the deletion itself (ADR 0009).
 */
@Controller()
export class UserEventsConsumer {
  constructor(private readonly sessions: SessionService) {}

  @OnEvent(USER_EVENTS_GROUP, TOPICS.user)
  async onUserEvent(@Payload() event: DomainEvent): Promise<void> {
    if (event.type !== 'user.deleted') return;
    await this.sessions.endAllOf(event.data.sub, 'admin');
  }
}
