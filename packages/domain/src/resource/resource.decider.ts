import {
  ResourceRegistered,
  ResourceUpdated,
  type PendingEvent,
  type ResourceEncryptionJwk,
  type ResourceEvent,
} from '@idp/contracts';
import { sha256Base64url } from '@idp/crypto';
import type { AccessTokenFormat } from '../grant/grant.state';
import {
  assertNever,
  DomainRuleError,
  type CommandMeta,
  type Decider,
  eventMeta,
} from '../decider';
import { checkEncryptionKeys, checkResourceUri, sameJson } from './resource.rules';

/**
 * A resource's id is derived from its URI (base64url SHA-256), so a token
 * request that names the URI (client `resources`, RFC 8707) finds the
 * stream with one read and no index; the URI itself is unbounded and full of
 * characters a stream id should not carry.
 */
export function resourceIdOf(resource: string): string {
  return sha256Base64url(resource);
}

export type ResourceSource = 'seed' | 'admin';

export interface RegisteredResource {
  readonly status: 'registered';
  readonly resourceId: string;
  readonly resource: string;
  /** Public keys only; the first is the one new tokens are encrypted to. */
  readonly keys: readonly ResourceEncryptionJwk[];
  readonly accessTokenFormat?: AccessTokenFormat;
  readonly source: ResourceSource;
}
export type ResourceState = { readonly status: 'unregistered' } | RegisteredResource;

/** What an operator declares about a resource server (the seed file's `resources` entries). */
export interface ResourceDefinition {
  readonly resource: string;
  readonly jwks: { readonly keys: readonly Readonly<Record<string, unknown>>[] };
  readonly accessTokenFormat?: AccessTokenFormat;
}

/**
 * Register fails on an existing resource and Update on a missing one (an
 * admin API's 409 and 404); Define is the idempotent upsert that seeding
 * replicas may run concurrently, since the runner retries it on the fresh state.
 */
export type ResourceCommand = ResourceDefinition & {
  readonly type: 'RegisterResource' | 'UpdateResource' | 'DefineResource';
  readonly source: ResourceSource;
  readonly meta: CommandMeta;
};

type PendingResourceEvent = PendingEvent<ResourceEvent['type'], ResourceEvent['data']>;

function eventData(def: ResourceDefinition) {
  checkResourceUri(def.resource);
  checkEncryptionKeys(def.jwks.keys);
  return {
    resourceId: resourceIdOf(def.resource),
    resource: def.resource,
    jwks: { keys: def.jwks.keys as ResourceEncryptionJwk[] },
    ...(def.accessTokenFormat ? { accessTokenFormat: def.accessTokenFormat } : {}),
  };
}

function decide(command: ResourceCommand, state: ResourceState): PendingResourceEvent[] {
  if (state.status !== 'registered') {
    if (command.type === 'UpdateResource')
      throw new DomainRuleError('resource.not_found', `${command.resource} is not registered`);
    return [
      ResourceRegistered.create(
        { ...eventData(command), source: command.source },
        eventMeta(command.meta),
      ),
    ];
  }
  if (command.type === 'RegisterResource')
    throw new DomainRuleError('resource.exists', `${command.resource} is already registered`);
  const data = eventData(command);
  const current = {
    resourceId: state.resourceId,
    resource: state.resource,
    jwks: { keys: state.keys },
    accessTokenFormat: state.accessTokenFormat,
  };
  return sameJson(data, current) ? [] : [ResourceUpdated.create(data, eventMeta(command.meta))];
}

function evolve(state: ResourceState, event: ResourceEvent): ResourceState {
  const { resourceId, resource, jwks, accessTokenFormat } = event.data;
  const definition = {
    resourceId,
    resource,
    keys: jwks.keys,
    ...(accessTokenFormat ? { accessTokenFormat } : {}),
  };
  switch (event.type) {
    case 'resource.registered':
      return { status: 'registered', ...definition, source: event.data.source };
    case 'resource.updated':
      return state.status === 'registered'
        ? { ...definition, status: 'registered', source: state.source }
        : state;
    default:
      return assertNever(event);
  }
}

/** The resource server aggregate (stream `resource-<sha256(uri)>`), see docs/adr/0007. */
export const resourceDecider: Decider<ResourceState, ResourceCommand, ResourceEvent> = {
  decide,
  evolve,
  initialState: () => ({ status: 'unregistered' }),
};
