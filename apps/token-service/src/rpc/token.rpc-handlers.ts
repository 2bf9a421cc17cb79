import type { RpcHandlers } from '@idp/rpc';
import type { TokenRpc } from '@idp/nest-kit';
import { runAsActor } from '@idp/eventsourcing';
import type { LogoutTokens } from '../backchannel/logout-tokens.service';
import type { ClientRegistry } from '../clients/client-registry.service';
import type { AuthorizeService } from '../grants/authorize.service';
import type { TokenEndpoint } from '../grants/token-endpoint.service';
import type { IntrospectionService } from '../introspection/introspection.service';
import type { KeyRingService } from '../keys/key-ring.service';
import type { SessionGrants } from '../logout/session-grants.service';
import type { RevocationService } from '../revocation/revocation.service';
import type { UserDirectory } from '../users/user-directory.service';
import type { UserinfoService } from '../userinfo/userinfo.service';

export interface TokenServiceFacade {
  readonly keys: KeyRingService;
  readonly clients: ClientRegistry;
  readonly users: UserDirectory;
  readonly authorize: AuthorizeService;
  readonly token: TokenEndpoint;
  readonly userinfo: UserinfoService;
  readonly introspection: IntrospectionService;
  readonly revocation: RevocationService;
  readonly sessionGrants: SessionGrants;
  readonly logoutTokens: LogoutTokens;
}

/** token-service's RPC surface: thin adapters, one line per method. */
export function tokenRpcHandlers(s: TokenServiceFacade): RpcHandlers<typeof TokenRpc> {
  return {
    jwks: async () => s.keys.publicJwks() as never,
    getClient: async ({ clientId }) => {
      const client = await s.clients.find(clientId);
      // Metadata only: the secret hash never leaves token-service.
      return {
        client: client
          ? (JSON.parse(JSON.stringify(client.metadata)) as Record<string, never>)
          : null,
      };
    },
    authenticateUser: async ({ username, password }) => ({
      sub: await s.users.authenticate(username, password),
    }),
    recordLoginLock: async (lock) => (await s.users.recordLoginLock(lock), {}),
    authorize: (req) => s.authorize.authorize(req),
    token: (req) => s.token.handle(req),
    userinfo: async ({ accessToken }) => (await s.userinfo.userinfo(accessToken)) as never,
    authenticateClient: (req) => s.introspection.authenticateClient(req),
    introspect: async ({ token }) => (await s.introspection.introspect(token)) as never,
    revoke: (req) => s.revocation.revoke(req),
    // An operator's end of a session: the revocations name the caller (ADR 0017).
    endSessionGrants: ({ sid, actor }) =>
      runAsActor(actor, async () => ({ revokedGrants: await s.sessionGrants.revokeEnded(sid) })),
    signIntrospectionResponse: (req) => s.introspection.signResponse(req),
    backchannelLogoutTargets: async ({ clientIds }) => ({
      targets: await s.logoutTokens.targets(clientIds),
    }),
    signLogoutTokens: async ({ tokens }) => ({ tokens: await s.logoutTokens.sign(tokens) }),
  };
}
