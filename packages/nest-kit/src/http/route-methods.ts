import { NotFoundException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { OAuthError } from '@idp/oauth-errors';

interface KnownRoute {
  readonly pattern: RegExp;
  readonly methods: Set<string>;
}

/**
 * What is needed of the Fastify instance (structural: Nest's adapter may
 * bring its own copy of Fastify, whose types differ from ours).
 */
interface RouteSource {
  addHook(
    name: 'onRoute',
    hook: (route: { readonly url: string; readonly method: string | readonly string[] }) => void,
  ): unknown;
}

const routesOf = new WeakMap<object, Map<string, KnownRoute>>();

/** `/register/:client_id` → /^\/register\/[^/]+$/ (Fastify's parametric and wildcard segments). */
function patternOf(url: string): RegExp {
  const source = url
    .split('/')
    .map((segment) =>
      segment.startsWith(':')
        ? '[^/]+'
        : segment === '*'
          ? '.*'
          : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('/');
  return new RegExp(`^${source}$`);
}

/**
 * Records which methods each route path has, as Fastify registers them, so
 * a request for a path that exists with another method can be answered 405
 * with `Allow` (RFC 9110 15.5.6) instead of 404. Call before the routes are
 * registered (right after the app is created).
 */
export function trackRouteMethods(instance: RouteSource): void {
  const routes = new Map<string, KnownRoute>();
  routesOf.set(instance, routes);
  instance.addHook('onRoute', (route) => {
    const methods: readonly string[] =
      typeof route.method === 'string' ? [route.method] : route.method;
    let known = routes.get(route.url);
    if (known === undefined) {
      known = { pattern: patternOf(route.url), methods: new Set() };
      routes.set(route.url, known);
    }
    for (const method of methods) known.methods.add(method.toUpperCase());
  });
}

/** The methods some route has for this path (without its query), sorted; empty if none. */
export function allowedMethods(instance: object, url: string): string[] {
  const path = url.split('?', 1)[0] ?? url;
  const allowed = new Set<string>();
  for (const route of routesOf.get(instance)?.values() ?? []) {
    if (route.pattern.test(path)) for (const m of route.methods) allowed.add(m);
  }
  return [...allowed].sort();
}

/**
 * The 405 to answer instead of Nest's route-not-found, when the path exists
 * for other methods: the OAuth error shape, with `Allow`. Undefined for any
 * other error, or a path that does not exist at all.
 */
export function methodNotAllowed(
  error: unknown,
  request: FastifyRequest | undefined,
): OAuthError | undefined {
  if (!(error instanceof NotFoundException) || request === undefined) return undefined;
  // A handler's own 404 (an unknown client) has a route; the router's has none.
  if (request.routeOptions?.url !== undefined) return undefined;
  const allowed = allowedMethods(request.server, request.url);
  if (allowed.length === 0 || allowed.includes(request.method)) return undefined;
  return new OAuthError('invalid_request', {
    status: 405,
    description: 'method not allowed',
    headers: { Allow: allowed.join(', ') },
  });
}
