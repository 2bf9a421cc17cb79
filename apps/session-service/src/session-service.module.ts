import { Module } from '@nestjs/common';
import { BackchannelLogoutModule } from './backchannel-logout/backchannel-logout.module';
import { SessionsModule } from './sessions/sessions.module';

/**
 * session-service's features, over the infrastructure ports bound by the
 * composition root (its own main.ts or the embedded process), which also
 * binds the back-channel delivery store (DeliveryStoreModule) and TOKEN_RPC.
 */
@Module({
  imports: [SessionsModule, BackchannelLogoutModule],
  exports: [SessionsModule, BackchannelLogoutModule],
})
export class SessionServiceModule {}
