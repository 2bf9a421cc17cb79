import { AdminRpc, BackchannelRpc, RpcClientsModule, SessionRpc, TokenRpc } from '@idp/nest-kit';
import { inProcessClient } from '@idp/rpc';
import {
  backchannelRpcHandlers,
  DeadLetters,
  SessionService,
  sessionRpcHandlers,
  SessionServiceModule,
} from '@idp/session-service';
import {
  AdminModule,
  adminRpcHandlers,
  AuthorizeService,
  ClientAdmin,
  ClientRegistrations,
  ClientRegistry,
  IntrospectionService,
  KeyRingService,
  LogoutTokens,
  RevocationService,
  SessionGrants,
  TokenEndpoint,
  tokenRpcHandlers,
  TokenServiceModule,
  UserAdmin,
  UserDirectory,
  UserinfoService,
} from '@idp/token-service';

/**
 * In the embedded mode auth-api's RPC clients call token-service and
 * session-service directly, through the same contracts (validation both
 * ways, errors as OAuth errors) that gRPC uses between processes.
 */
export const inProcessRpc = RpcClientsModule.forRoot({
  imports: [TokenServiceModule, AdminModule, SessionServiceModule],
  token: {
    useFactory: (
      keys: KeyRingService,
      clients: ClientRegistry,
      users: UserDirectory,
      authorize: AuthorizeService,
      token: TokenEndpoint,
      userinfo: UserinfoService,
      introspection: IntrospectionService,
      revocation: RevocationService,
      sessionGrants: SessionGrants,
      logoutTokens: LogoutTokens,
    ) =>
      inProcessClient(
        TokenRpc,
        tokenRpcHandlers({
          keys,
          clients,
          users,
          authorize,
          token,
          userinfo,
          introspection,
          revocation,
          sessionGrants,
          logoutTokens,
        }),
      ),
    inject: [
      KeyRingService,
      ClientRegistry,
      UserDirectory,
      AuthorizeService,
      TokenEndpoint,
      UserinfoService,
      IntrospectionService,
      RevocationService,
      SessionGrants,
      LogoutTokens,
    ],
  },
  admin: {
    useFactory: (clients: ClientAdmin, registrations: ClientRegistrations, users: UserAdmin) =>
      inProcessClient(AdminRpc, adminRpcHandlers({ clients, registrations, users })),
    inject: [ClientAdmin, ClientRegistrations, UserAdmin],
  },
  session: {
    useFactory: (sessions: SessionService) =>
      inProcessClient(SessionRpc, sessionRpcHandlers(sessions)),
    inject: [SessionService],
  },
  backchannel: {
    useFactory: (deadLetters: DeadLetters) =>
      inProcessClient(BackchannelRpc, backchannelRpcHandlers(deadLetters)),
    inject: [DeadLetters],
  },
});
