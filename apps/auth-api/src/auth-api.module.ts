import { Module } from '@nestjs/common';
import { EndpointRateLimits, FormBodySupport } from '@idp/nest-kit';
import { TOKEN_RPC, type TokenRpcClient } from '@idp/contracts';
import { AdminBackchannelController } from './admin/admin-backchannel.controller';
import { AdminClientsController } from './admin/admin-clients.controller';
import { AdminOpenApiController } from './admin/admin-openapi.controller';
import { AdminRpcAccess } from './admin/admin-rpc';
import { AdminSessionsController } from './admin/admin-sessions.controller';
import { AdminSsfController } from './admin/admin-ssf.controller';
import { AdminUsersController } from './admin/admin-users.controller';
import { AuthorizationFlow } from './authorize/authorization-flow';
import { AuthorizeController } from './authorize/authorize.controller';
import { ClientDirectory } from './authorize/client-directory';
import { RequestObjectResolver } from './authorize/request-object';
import { SsoSessions } from './authorize/sso-sessions';
import { DiscoveryController } from './discovery/discovery.controller';
import { JwksCache } from './discovery/jwks-cache';
import { LandingController } from './home/landing.controller';
import { ClientRateLimit } from './http/client-rate-limit';
import { DpopProofs } from './dpop/dpop-proofs';
import { EdgeConfig } from './http/edge-config';
import { ClientCertificates } from './mtls/client-certificates';
import { RateLimitGuard } from './http/rate-limit.guard';
import { InteractionController } from './interaction/interaction.controller';
import { InteractionStore } from './interaction/interaction-store';
import { LoginThrottle } from './interaction/login-throttle';
import { DeviceAuthorizationController } from './device/device-authorization.controller';
import { DeviceVerificationController } from './device/device-verification.controller';
import { UserCodeGuard } from './device/user-code-guard';
import { LogoutController } from './logout/logout.controller';
import { LogoutFlow } from './logout/logout-flow';
import { ParController } from './par/par.controller';
import { PushedRequests } from './par/pushed-requests';
import { SessionTermination } from './logout/session-termination';
import { RegistrationController } from './registration/registration.controller';
import { RevokeController } from './revoke/revoke.controller';
import { TokenRoute } from './token/token.route';
import { UserinfoController } from './userinfo/userinfo.controller';
import { SsfConfigurationController } from './shared-signals/ssf-configuration.controller';
import { SsfPollController } from './shared-signals/ssf-poll.controller';
import { SsfReceivers } from './shared-signals/ssf-receivers';
import { SsfRpcAccess } from './shared-signals/ssf-rpc-access';
import { SsfStreamsController } from './shared-signals/ssf-streams.controller';

/**
 * auth-api's features, over what the composition root (its own main.ts or
 * the embedded process) provides globally: CONFIG, TOKEN_RPC and
 * SESSION_RPC (and ADMIN_RPC, BACKCHANNEL_RPC, SSF_RPC for the admin and
 * Shared Signals APIs). State lives in token-service, session-service and the
 * browser's cookies, so any number of replicas can serve any request.
 */
@Module({
  controllers: [
    LandingController,
    DiscoveryController,
    AuthorizeController,
    InteractionController,
    LogoutController,
    RevokeController,
    ParController,
    DeviceAuthorizationController,
    DeviceVerificationController,
    UserinfoController,
    RegistrationController,
    SsfConfigurationController,
    SsfStreamsController,
    SsfPollController,
    AdminClientsController,
    AdminUsersController,
    AdminSessionsController,
    AdminBackchannelController,
    AdminSsfController,
    AdminOpenApiController,
  ],
  providers: [
    EdgeConfig,
    DpopProofs,
    ClientCertificates,
    FormBodySupport,
    EndpointRateLimits,
    RateLimitGuard,
    ClientRateLimit,
    TokenRoute,
    ClientDirectory,
    RequestObjectResolver,
    SsoSessions,
    InteractionStore,
    LoginThrottle,
    UserCodeGuard,
    AuthorizationFlow,
    PushedRequests,
    SessionTermination,
    LogoutFlow,
    AdminRpcAccess,
    SsfRpcAccess,
    SsfReceivers,
    {
      provide: JwksCache,
      // A few seconds fresh; while token-service is unreachable, the last set for up to 5 minutes.
      useFactory: (tokens: TokenRpcClient) =>
        new JwksCache(() => tokens.jwks({}), { freshMs: 5_000, staleMs: 300_000 }),
      inject: [TOKEN_RPC],
    },
  ],
})
export class AuthApiModule {}
