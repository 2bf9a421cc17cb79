import { Module } from '@nestjs/common';
import { SessionService } from './session.service';
import { TokenEventsConsumer } from './token-events.consumer';
import { UserEventsConsumer } from './user-events.consumer';

@Module({
  controllers: [TokenEventsConsumer, UserEventsConsumer],
  providers: [SessionService],
  exports: [SessionService],
})
export class SessionsModule {}
