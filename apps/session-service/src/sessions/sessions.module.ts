import { Module } from '@nestjs/common';
import { SessionRpcHandlers } from './session.rpc-handlers';
import { SessionService } from './session.service';
import { TokenEventsConsumer } from './token-events.consumer';
import { UserEventsConsumer } from './user-events.consumer';

@Module({
  controllers: [TokenEventsConsumer, UserEventsConsumer],
  // SessionRpc's handler: GrpcServer or the embedded in-process client finds it (ADR 0023).
  providers: [SessionService, SessionRpcHandlers],
  exports: [SessionService],
})
export class SessionsModule {}
