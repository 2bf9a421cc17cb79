import { Module } from '@nestjs/common';
import { RegistrationTokens } from '../clients/registration-tokens';
import { TokenServiceModule } from '../token-service.module';
import { ClientAdmin } from './client-admin.service';
import { ClientRegistrations } from './client-registrations.service';
import { UserAdmin } from './user-admin.service';

/**
 * Client registration (RFC 7591/7592) and the admin API inside token-service.
 * Self-contained over TokenServiceModule's ClientRegistry and UserDirectory
 * (Nest shares the one TokenServiceModule instance), so a composition root
 * only adds AdminModule next to it and serves adminRpcHandlers.
 */
@Module({
  imports: [TokenServiceModule],
  providers: [RegistrationTokens, ClientAdmin, ClientRegistrations, UserAdmin],
  exports: [ClientAdmin, ClientRegistrations, UserAdmin],
})
export class AdminModule {}
