import { RpcHandler } from '@idp/nest-kit';
import { runAsActor } from '@idp/eventsourcing';
import { AdminRpc } from '@idp/contracts';
import type { RpcHandlers, RpcRequest } from '@idp/rpc';
import { TokenHistoryService } from '../history/token-history.service';
import { ClientAdmin } from './client-admin.service';
import { ClientRegistrations } from './client-registrations.service';
import { UserAdmin } from './user-admin.service';

type Request<K extends keyof typeof AdminRpc.methods> = RpcRequest<typeof AdminRpc, K>;

/**
 * token-service's AdminRpc surface: one line per method. Dynamic
 * registration (source dynamic_registration) never reaches the operator
 * path, so a self-registered client cannot pick its client_id or secret.
 * Each command runs as the request's `actor`, so its events name the
 * caller (ADR 0017); a request whose contract has an actor and whose handler
 * forgets it fails admin.rpc-handlers.spec.ts.
 */
@RpcHandler(AdminRpc)
export class AdminRpcHandlers implements RpcHandlers<typeof AdminRpc> {
  constructor(
    private readonly clients: ClientAdmin,
    private readonly registrations: ClientRegistrations,
    private readonly users: UserAdmin,
    private readonly history: TokenHistoryService,
  ) {}

  registerClient({ actor, metadata, source, clientSecret }: Request<'registerClient'>) {
    return runAsActor(actor, () =>
      source === 'dynamic_registration'
        ? this.registrations.register(metadata)
        : this.clients.register(metadata, clientSecret),
    );
  }

  readClient({ clientId }: Request<'readClient'>) {
    return this.clients.read(clientId);
  }

  replaceClient({ actor, clientId, metadata, clientSecret }: Request<'replaceClient'>) {
    return runAsActor(actor, () => this.clients.replace(clientId, metadata, clientSecret));
  }

  deleteClient({ actor, clientId }: Request<'deleteClient'>) {
    return runAsActor(actor, async () => (await this.clients.delete(clientId), {}));
  }

  rotateClientSecret({ actor, clientId }: Request<'rotateClientSecret'>) {
    return runAsActor(actor, () => this.clients.rotateSecret(clientId));
  }

  readRegistration({ clientId, registrationAccessToken }: Request<'readRegistration'>) {
    return this.registrations.read(clientId, registrationAccessToken);
  }

  updateRegistration(r: Request<'updateRegistration'>) {
    return this.registrations.update(r.clientId, r.registrationAccessToken, r.metadata);
  }

  async deleteRegistration({ clientId, registrationAccessToken }: Request<'deleteRegistration'>) {
    await this.registrations.delete(clientId, registrationAccessToken);
    return {};
  }

  createUser({ actor, ...input }: Request<'createUser'>) {
    return runAsActor(actor, () => this.users.create(input));
  }

  readUser({ sub }: Request<'readUser'>) {
    return this.users.read(sub);
  }

  updateUser({ actor, sub, changes }: Request<'updateUser'>) {
    return runAsActor(actor, () => this.users.update(sub, changes));
  }

  deleteUser({ actor, sub }: Request<'deleteUser'>) {
    return runAsActor(actor, async () => (await this.users.delete(sub), {}));
  }

  revokeUserTokens({ actor, sub }: Request<'revokeUserTokens'>) {
    return runAsActor(actor, () => this.users.revokeTokens(sub));
  }

  revokeClientTokens({ actor, clientId }: Request<'revokeClientTokens'>) {
    return runAsActor(actor, () => this.clients.revokeTokens(clientId));
  }

  revokeSessionTokens({ actor, sid }: Request<'revokeSessionTokens'>) {
    return runAsActor(actor, () => this.users.revokeSessionTokens(sid));
  }

  unlockUser({ actor, sub }: Request<'unlockUser'>) {
    return runAsActor(actor, () => this.users.unlock(sub));
  }

  /** A read: it causes no event, so it has no actor. */
  tokenHistory(request: Request<'tokenHistory'>) {
    return this.history.history(request);
  }
}
