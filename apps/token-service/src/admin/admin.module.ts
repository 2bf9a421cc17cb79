import { Module } from '@nestjs/common';
import { RegistrationTokens } from '../clients/registration-tokens';
import { IntrospectionTombstones } from '../read-model/introspection-tombstones';
import { SessionGrants } from '../logout/session-grants.service';
import { TokenServiceModule } from '../token-service.module';
import { AdminRpcHandlers } from './admin.rpc-handlers';
import { ClientAdmin } from './client-admin.service';
import { ClientRegistrations } from './client-registrations.service';
import { TokenHistoryService } from '../history/token-history.service';
import { UserAdmin } from './user-admin.service';

/**
 * Client registration (RFC 7591/7592) and the admin API inside token-service.
 * Self-contained over TokenServiceModule's ClientRegistry and UserDirectory
 * (Nest shares the one TokenServiceModule instance), so a composition root
 * only adds AdminModule next to it; its AdminRpc handler comes along.
 */
@Module({
  imports: [TokenServiceModule],
  providers: [
    RegistrationTokens,
    // TokenServiceModule keeps its own; this stateless one writes to the same cache.
    IntrospectionTombstones,
    SessionGrants,
    ClientAdmin,
    ClientRegistrations,
    UserAdmin,
    TokenHistoryService,
    // AdminRpc's handler: GrpcServer or the embedded in-process client finds it (ADR 0023).
    AdminRpcHandlers,
  ],
  exports: [ClientAdmin, ClientRegistrations, UserAdmin, SessionGrants],
})
export class AdminModule {}
