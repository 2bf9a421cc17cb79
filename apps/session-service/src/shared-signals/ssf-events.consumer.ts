import { Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { CONFIG, type Config } from '@idp/config';
import { TOPICS, type DomainEvent } from '@idp/contracts';
import { OnEvent } from '@idp/nest-kit';
import type { SetFanOut } from './set-fan-out';
import { signalsOf } from './signal-mapping';
import { SsfStreams } from './ssf-streams.service';
import { SET_FAN_OUT } from './ssf.tokens';

/** Its own group: SET fan-out has its own offsets, retries and dead letters. */
export const SSF_GROUP = 'session-service.ssf';

/**
 * The transmitter's inputs (ADR 0035): our events become SETs for the
 * streams that take them (session.ended, user.deleted, user.updated,
 * grant.revoked, grant.access_token_revoked), and `ssf.*` events refresh the
 * streams' working copy on every replica's shared table. Each handler
 * resolves once its rows are committed, so the offset is committed after
 * them; a redelivery queues nothing twice.
 */
@Controller()
export class SsfEventsConsumer {
  constructor(
    @Inject(SET_FAN_OUT) private readonly fanOut: SetFanOut,
    private readonly streams: SsfStreams,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  @OnEvent(SSF_GROUP, TOPICS.session)
  async onSessionEvent(@Payload() event: DomainEvent): Promise<void> {
    if (event.type.startsWith('ssf.')) {
      await this.streams.refresh((event.data as { streamId: string }).streamId);
      return;
    }
    await this.transmit(event);
  }

  @OnEvent(SSF_GROUP, TOPICS.user)
  onUserEvent(@Payload() event: DomainEvent): Promise<void> {
    return this.transmit(event);
  }

  @OnEvent(SSF_GROUP, TOPICS.token)
  onTokenEvent(@Payload() event: DomainEvent): Promise<void> {
    return this.transmit(event);
  }

  private async transmit(event: DomainEvent): Promise<void> {
    const signals = signalsOf(event, this.config.ISSUER);
    if (signals.length > 0) await this.fanOut.schedule(signals);
  }
}
