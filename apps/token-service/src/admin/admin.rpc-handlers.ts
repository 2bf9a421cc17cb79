import type { AdminRpc } from '@idp/nest-kit';
import { actingAs } from '@idp/eventsourcing';
import type { RpcHandlers } from '@idp/rpc';
import type { ClientAdmin } from './client-admin.service';
import type { ClientRegistrations } from './client-registrations.service';
import type { UserAdmin } from './user-admin.service';

export interface AdminServiceFacade {
  readonly clients: ClientAdmin;
  readonly registrations: ClientRegistrations;
  readonly users: UserAdmin;
}

/**
 * token-service's AdminRpc surface: one line per method. Dynamic
 * registration (source dynamic_registration) never reaches the operator
 * path, so a self-registered client cannot pick its client_id or secret.
 * Each call runs as the request's `actor`, so its events name the caller
 * (ADR 0017).
 */
export function adminRpcHandlers(s: AdminServiceFacade): RpcHandlers<typeof AdminRpc> {
  return actingAs<RpcHandlers<typeof AdminRpc>>({
    registerClient: ({ metadata, source, clientSecret }) =>
      source === 'dynamic_registration'
        ? s.registrations.register(metadata)
        : s.clients.register(metadata, clientSecret),
    readClient: ({ clientId }) => s.clients.read(clientId),
    replaceClient: ({ clientId, metadata, clientSecret }) =>
      s.clients.replace(clientId, metadata, clientSecret),
    deleteClient: async ({ clientId }) => (await s.clients.delete(clientId), {}),
    rotateClientSecret: ({ clientId }) => s.clients.rotateSecret(clientId),
    readRegistration: ({ clientId, registrationAccessToken }) =>
      s.registrations.read(clientId, registrationAccessToken),
    updateRegistration: ({ clientId, registrationAccessToken, metadata }) =>
      s.registrations.update(clientId, registrationAccessToken, metadata),
    deleteRegistration: async ({ clientId, registrationAccessToken }) => (
      await s.registrations.delete(clientId, registrationAccessToken),
      {}
    ),
    createUser: ({ actor: _caller, ...input }) => s.users.create(input),
    readUser: ({ sub }) => s.users.read(sub),
    updateUser: ({ sub, changes }) => s.users.update(sub, changes),
    deleteUser: async ({ sub }) => (await s.users.delete(sub), {}),
    revokeUserTokens: ({ sub }) => s.users.revokeTokens(sub),
    revokeClientTokens: ({ clientId }) => s.clients.revokeTokens(clientId),
    revokeSessionTokens: ({ sid }) => s.users.revokeSessionTokens(sid),
    unlockUser: ({ sub }) => s.users.unlock(sub),
  });
}
