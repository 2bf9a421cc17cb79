import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { SessionEventsConsumer } from './session-events.consumer';

/**
 * token-service's part of logout: the session.ended consumer. SessionGrants
 * itself lives in AdminModule (next to GrantRevocations, which it uses), so
 * TokenRpc's handler finds it wherever AdminModule is.
 */
@Module({
  imports: [AdminModule],
  controllers: [SessionEventsConsumer],
})
export class LogoutModule {}
