import { Module } from '@nestjs/common';
import { SessionService } from './session.service';
import { TokenEventsConsumer } from './token-events.consumer';

@Module({
  controllers: [TokenEventsConsumer],
  providers: [SessionService],
  exports: [SessionService],
})
export class SessionsModule {}
