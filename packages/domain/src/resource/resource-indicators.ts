import { InvalidRequest, InvalidTarget } from '@idp/oauth-errors';
import { MAX_RESOURCES, resourceIndicatorProblem } from '../client/uri.rules';

export {
  MAX_RESOURCE_URI_LENGTH,
  MAX_RESOURCES,
  resourceIndicatorProblem,
} from '../client/uri.rules';

/**
 * RFC 8707 resource indicators as requests carry them. The HTTP edge joins
 * the repeated `resource` parameter with single spaces (a URI never holds a
 * literal space, and the edge refuses a value that does), so one string
 * crosses the parameter maps and the RPCs; these functions split it again.
 */

/** The indicators in a joined `resource` parameter, in request order, without duplicates. */
export function splitResources(raw: string | undefined): string[] {
  return raw === undefined ? [] : [...new Set(raw.split(' ').filter((v) => v !== ''))];
}

/**
 * The `resource` values of an authorization request (RFC 8707 2.1): each a
 * well-formed URI the client registered in `resources`. More values than any
 * client may register is a malformed request (invalid_request); a malformed
 * or unregistered one is invalid_target, which the authorization endpoint
 * sends to the redirect_uri like its other errors.
 */
export function authorizationResources(
  raw: string | undefined,
  clientResources: readonly string[],
): string[] {
  const requested = splitResources(raw);
  if (requested.length > MAX_RESOURCES)
    throw new InvalidRequest(`resource may be given at most ${MAX_RESOURCES} times`);
  for (const r of requested) checkTarget(r, clientResources);
  return requested;
}

/**
 * The one resource a token request names (RFC 8707 2.2), or undefined. One
 * access token has one audience here, so several values are invalid_target;
 * the value must be among the client's registered `resources`. Whether the
 * grant allows it is the grant decider's call (`checkGranted`), made once
 * the presenter is known to be the grant's client.
 */
export function tokenRequestResource(
  raw: string | undefined,
  clientResources: readonly string[],
): string | undefined {
  const requested = splitResources(raw);
  if (requested.length === 0) return undefined;
  if (requested.length > 1)
    throw new InvalidTarget('only one resource may be requested per access token');
  const resource = requested[0]!;
  checkTarget(resource, clientResources);
  return resource;
}

/** What one access token is for: its audiences, and whether the request named the resource. */
export interface TokenTargets {
  readonly resources: readonly string[];
  /** The token request named it: it must be a registered resource server (ADR 0030). */
  readonly named: boolean;
}

/**
 * The resources an access token targets. A named `resource` is the only one.
 * Without it, a grant that recorded resources at /authorize keeps to them
 * (all of them, so a grant with one resource defaults to it): the user
 * authorized those, not whatever else the client registered. A grant that
 * recorded none (client_credentials, an authorization request without
 * `resource`, a grant from before resource indicators) targets the client's
 * registered `resources`, as before. The client's registration bounds both,
 * as it bounds a grant's scope: a resource it no longer lists is dropped.
 */
export function tokenTargets(
  raw: string | undefined,
  clientResources: readonly string[],
  granted?: readonly string[],
): TokenTargets {
  const named = tokenRequestResource(raw, clientResources);
  if (named !== undefined) return { resources: [named], named: true };
  if (granted === undefined || granted.length === 0)
    return { resources: clientResources, named: false };
  const still = granted.filter((r) => clientResources.includes(r));
  if (still.length === 0)
    throw new InvalidTarget(
      'the resources of the authorization grant are no longer registered for this client',
    );
  return { resources: still, named: false };
}

/** A resource the grant did not record at /authorize would widen it. */
export function checkGranted(resource: string, granted: readonly string[] | undefined): void {
  if (granted !== undefined && granted.length > 0 && !granted.includes(resource))
    throw new InvalidTarget('the requested resource was not part of the authorization grant');
}

// Descriptions never repeat the requested value: it is untrusted and up to 2000 characters.
function checkTarget(resource: string, clientResources: readonly string[]): void {
  const problem = resourceIndicatorProblem(resource);
  if (problem) throw new InvalidTarget(`resource ${problem}`);
  // Compared as exact strings, as the registry and the audience are (ADR 0007).
  if (!clientResources.includes(resource))
    throw new InvalidTarget('the requested resource is not registered for this client');
}
