import { Module } from '@nestjs/common';
import { LogoutTokens } from './backchannel/logout-tokens.service';
import { SecurityEventSigner } from './shared-signals/security-event-signer.service';
import { AssertionReplayGuard } from './clients/assertion-replay-guard';
import { DeviceAuthorizationService } from './device/device-authorization.service';
import { DeviceFlowStore } from './device/device-flow-store';
import { ClientAuthenticator } from './clients/client-authenticator';
import { PushingClientAuthentication } from './clients/pushing-client-authentication';
import { ClientJwks } from './clients/client-jwks';
import { TokenServiceOutbound } from './clients/outbound-client.provider';
import { ClientRegistry } from './clients/client-registry.service';
import { AuthorizeService } from './grants/authorize.service';
import { GRANT_HANDLERS } from './grants/grant-handler';
import { GRANT_HANDLER_CLASSES } from './grants/grant-handlers';
import { TokenEndpoint } from './grants/token-endpoint.service';
import { ExchangeTokens } from './grants/token-exchange/exchange-tokens';
import { TrustedIssuers } from './grants/token-exchange/trusted-issuers';
import { IntrospectionService } from './introspection/introspection.service';
import { KeysModule } from './keys/keys.module';
import { IntrospectionTombstones } from './read-model/introspection-tombstones';
import { RequestObjects } from './request-objects/request-objects.service';
import { RequestUriFetcher } from './request-objects/request-uri-fetcher';
import { RevocationService } from './revocation/revocation.service';
import { ClientSecretBox } from './secrets/client-secret-box';
import { TokenSecrets } from './secrets/token-secrets';
import { ResourceRegistry } from './resources/resource-registry.service';
import { SeedService } from './seed/seed.service';
import { TokenMinter } from './tokens/token-minter.service';
import { TokenResolver } from './tokens/token-resolver';
import { UserinfoHandles } from './tokens/userinfo-handle';
import { LoginLocks } from './users/login-locks.service';
import { PasswordChecks } from './users/password-checks';
import { UserDirectory } from './users/user-directory.service';
import { UserinfoService } from './userinfo/userinfo.service';

const grantHandlers = Object.values(GRANT_HANDLER_CLASSES);

/**
 * token-service's features. It expects the infrastructure ports (event
 * store, relay, bus, and the read-model cache it writes revocation
 * tombstones to) from InfraModule, bound by whichever composition root
 * runs it: its own main.ts, or the embedded process.
 */
@Module({
  imports: [KeysModule],
  providers: [
    TokenSecrets,
    ClientSecretBox,
    ClientRegistry,
    AssertionReplayGuard,
    TokenServiceOutbound,
    ClientJwks,
    ClientAuthenticator,
    PushingClientAuthentication,
    RequestUriFetcher,
    RequestObjects,
    PasswordChecks,
    LoginLocks,
    UserDirectory,
    ResourceRegistry,
    UserinfoHandles,
    TokenMinter,
    TokenResolver,
    IntrospectionTombstones,
    TrustedIssuers,
    ExchangeTokens,
    DeviceFlowStore,
    ...grantHandlers,
    { provide: GRANT_HANDLERS, useFactory: (...h: unknown[]) => h, inject: grantHandlers },
    TokenEndpoint,
    AuthorizeService,
    DeviceAuthorizationService,
    UserinfoService,
    IntrospectionService,
    RevocationService,
    SeedService,
    LogoutTokens,
    SecurityEventSigner,
  ],
  exports: [
    KeysModule,
    ClientRegistry,
    RequestObjects,
    UserDirectory,
    ResourceRegistry,
    TokenEndpoint,
    AuthorizeService,
    DeviceAuthorizationService,
    UserinfoService,
    IntrospectionService,
    RevocationService,
    LogoutTokens,
    SecurityEventSigner,
    PushingClientAuthentication,
  ],
})
export class TokenServiceModule {}
