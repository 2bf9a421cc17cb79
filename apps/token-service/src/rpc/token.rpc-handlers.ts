import type { JsonValue, RpcHandlers, RpcRequest } from '@idp/rpc';
import { RpcHandler } from '@idp/nest-kit';
import { runAsActor } from '@idp/eventsourcing';
import { TokenRpc } from '@idp/contracts';
import { LogoutTokens } from '../backchannel/logout-tokens.service';
import { ClientRegistry } from '../clients/client-registry.service';
import { PushingClientAuthentication } from '../clients/pushing-client-authentication';
import { DeviceAuthorizationService } from '../device/device-authorization.service';
import { AuthorizeService } from '../grants/authorize.service';
import { TokenEndpoint } from '../grants/token-endpoint.service';
import { IntrospectionService } from '../introspection/introspection.service';
import { KeyRingService } from '../keys/key-ring.service';
import { SessionGrants } from '../logout/session-grants.service';
import { RequestObjects } from '../request-objects/request-objects.service';
import { RevocationService } from '../revocation/revocation.service';
import { SecurityEventSigner } from '../shared-signals/security-event-signer.service';
import { UserDirectory } from '../users/user-directory.service';
import { UserinfoService } from '../userinfo/userinfo.service';

type Request<K extends keyof typeof TokenRpc.methods> = RpcRequest<typeof TokenRpc, K>;

/**
 * Plain data typed loosely by its service (a JWK, claims, a record): the
 * contract's field is `z.json()`, and the dispatcher validates every
 * response against it before it leaves, so anything else is a server_error.
 */
const json = <T extends object>(value: T) => value as unknown as Record<string, JsonValue>;

/** token-service's RPC surface (served by GrpcServer or called in process): one line per method. */
@RpcHandler(TokenRpc)
export class TokenRpcHandlers implements RpcHandlers<typeof TokenRpc> {
  constructor(
    private readonly keys: KeyRingService,
    private readonly clients: ClientRegistry,
    private readonly users: UserDirectory,
    private readonly authorizations: AuthorizeService,
    private readonly tokens: TokenEndpoint,
    private readonly userinfoService: UserinfoService,
    private readonly introspection: IntrospectionService,
    private readonly revocation: RevocationService,
    private readonly sessionGrants: SessionGrants,
    private readonly logoutTokens: LogoutTokens,
    private readonly securityEvents: SecurityEventSigner,
    private readonly pushingClients: PushingClientAuthentication,
    private readonly requestObjects: RequestObjects,
    private readonly devices: DeviceAuthorizationService,
  ) {}

  async jwks() {
    return { keys: (await this.keys.publicJwks()).keys.map(json) };
  }

  async getClient({ clientId }: Request<'getClient'>) {
    const client = await this.clients.find(clientId);
    // Metadata only: the secret hash never leaves token-service. Through JSON: unset fields go.
    return {
      client: client
        ? (JSON.parse(JSON.stringify(client.metadata)) as Record<string, JsonValue>)
        : null,
    };
  }

  async authenticateUser({ username, password }: Request<'authenticateUser'>) {
    return { sub: await this.users.authenticate(username, password) };
  }

  async recordLoginLock(lock: Request<'recordLoginLock'>) {
    await this.users.recordLoginLock(lock);
    return {};
  }

  authorize(request: Request<'authorize'>) {
    return this.authorizations.authorize(request);
  }

  token(request: Request<'token'>) {
    return this.tokens.handle(request);
  }

  deviceAuthorization(request: Request<'deviceAuthorization'>) {
    return this.devices.request(request);
  }

  async devicePending({ userCode }: Request<'devicePending'>) {
    return { request: (await this.devices.pending(userCode)) ?? null };
  }

  async deviceDecision(request: Request<'deviceDecision'>) {
    await this.devices.decide(request);
    return {};
  }

  async userinfo({ accessToken, scheme, cnf }: Request<'userinfo'>) {
    const answer = await this.userinfoService.userinfo(accessToken, { scheme, cnf });
    return answer.format === 'json' ? { ...answer, claims: json(answer.claims) } : answer;
  }

  async requestObject({ clientId, request, requestUri }: Request<'requestObject'>) {
    const source =
      request === undefined ? { clientId, requestUri: requestUri ?? '' } : { clientId, request };
    return { params: { ...(await this.requestObjects.resolve(source)) } };
  }

  authenticateClient(request: Request<'authenticateClient'>) {
    return this.introspection.authenticateClient(request);
  }

  /** RFC 9126 2.1; metadata through JSON as getClient sends it (unset fields go). */
  async authenticatePushingClient(request: Request<'authenticatePushingClient'>) {
    const { client } = await this.pushingClients.authenticate(request);
    return { client: JSON.parse(JSON.stringify(client)) as Record<string, JsonValue> };
  }

  async introspect({ token }: Request<'introspect'>) {
    const { key, record } = await this.introspection.introspect(token);
    return { key, record: json(record) };
  }

  revoke(request: Request<'revoke'>) {
    return this.revocation.revoke(request);
  }

  /** An operator's end of a session: the revocations name the caller (ADR 0017). */
  endSessionGrants({ sid, actor }: Request<'endSessionGrants'>) {
    return runAsActor(actor, async () => ({
      revokedGrants: await this.sessionGrants.revokeEnded(sid),
    }));
  }

  signIntrospectionResponse(request: Request<'signIntrospectionResponse'>) {
    return this.introspection.signResponse(request);
  }

  async backchannelLogoutTargets({ clientIds }: Request<'backchannelLogoutTargets'>) {
    return { targets: await this.logoutTokens.targets(clientIds) };
  }

  async signLogoutTokens({ tokens }: Request<'signLogoutTokens'>) {
    return { tokens: await this.logoutTokens.sign(tokens) };
  }

  async signSecurityEvents({ sets }: Request<'signSecurityEvents'>) {
    return { tokens: await this.securityEvents.sign(sets) };
  }
}
