import { SetMetadata } from '@nestjs/common';
import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants';

/**
 * Adds entries to a route's Fastify `config` (readable in hooks and error
 * handling as `request.routeOptions.config`). Unlike Nest's `RouteConfig`,
 * which replaces the whole object, several of these on one handler add up,
 * in any order.
 */
export function mergeRouteConfig(values: Readonly<Record<string, unknown>>): MethodDecorator {
  return (target, key, descriptor) => {
    const handler = descriptor.value as object;
    const existing = Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, handler) as
      Record<string, unknown> | undefined;
    return SetMetadata(FASTIFY_ROUTE_CONFIG_METADATA, { ...existing, ...values })(
      target,
      key,
      descriptor,
    );
  };
}
