import { Module } from '@nestjs/common';
import { BackchannelLogoutModule } from './backchannel-logout/backchannel-logout.module';
import { SessionsModule } from './sessions/sessions.module';
import { SharedSignalsModule } from './shared-signals/shared-signals.module';

/**
 * session-service's features, over the infrastructure ports bound by the
 * composition root (its own main.ts or the embedded process), which also
 * binds the back-channel delivery store (DeliveryStoreModule), the Shared
 * Signals tables (SsfStoreModule) and TOKEN_RPC.
 */
@Module({
  imports: [SessionsModule, BackchannelLogoutModule, SharedSignalsModule],
  exports: [SessionsModule, BackchannelLogoutModule, SharedSignalsModule],
})
export class SessionServiceModule {}
