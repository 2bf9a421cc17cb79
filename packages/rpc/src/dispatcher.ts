import {
  InvalidRequest,
  isStorageFault,
  OAuthError,
  ServerError,
  toWire,
  type WireOAuthError,
} from '@idp/oauth-errors';
import { rpcPath, type RpcBinding, type RpcContext, type RpcMethodSchemas } from '@idp/contracts';
import type { RpcLogger } from './logger';
import { check, encodeBody } from './wire';

/** The server side's answer, before any transport: a JSON body or an OAuth error as data. */
export type Outcome =
  | { readonly ok: true; readonly body: string }
  | { readonly ok: false; readonly error: WireOAuthError };

interface Route {
  readonly schemas: RpcMethodSchemas;
  readonly handler: (request: unknown, context: RpcContext) => Promise<unknown>;
}

export interface Dispatcher {
  /** Paths served (`/idp.<service>/<method>`), for the gRPC service definitions. */
  readonly paths: readonly string[];
  /** Never rejects: every failure is an Outcome, so both transports map errors the same way. */
  dispatch(path: string, body: string, context: RpcContext): Promise<Outcome>;
}

const fail = (err: unknown): Outcome => ({ ok: false, error: toWire(err) });

/**
 * The server half shared by the gRPC server and the in-process adapter:
 * validates the request (→ invalid_request), runs the handler, validates its
 * response (→ server_error, logged) and hides any non-OAuth error.
 */
export function createDispatcher(bindings: readonly RpcBinding[], logger: RpcLogger): Dispatcher {
  const routes = new Map<string, Route>();
  const services = new Set<string>();
  for (const { contract, handlers } of bindings) {
    // Fail at startup, not on the first request, when wiring is wrong.
    if (services.has(contract.service))
      throw new Error(`rpc service "${contract.service}" bound twice`);
    services.add(contract.service);
    for (const [method, schemas] of Object.entries(contract.methods)) {
      const handler: unknown = (handlers as Record<string, unknown>)[method];
      if (typeof handler !== 'function') {
        throw new Error(`no handler for rpc method ${contract.service}.${method}`);
      }
      routes.set(rpcPath(contract.service, method), {
        schemas,
        handler: handler.bind(handlers) as Route['handler'],
      });
    }
  }

  async function dispatch(path: string, body: string, context: RpcContext): Promise<Outcome> {
    const log = { path, correlationId: context.correlationId };
    const route = routes.get(path);
    if (!route) {
      // Only reachable in-process (gRPC answers UNIMPLEMENTED itself): a client newer than its server.
      logger.error('rpc method not served', log);
      return fail(new ServerError());
    }
    try {
      let input: unknown;
      try {
        input = JSON.parse(body);
      } catch {
        return fail(new InvalidRequest(`malformed ${path} request: not JSON`));
      }
      const request = await check(route.schemas.request, input);
      if (!request.ok)
        return fail(new InvalidRequest(`invalid ${path} request: ${request.problem}`));

      let output: unknown;
      try {
        output = await route.handler(request.data, context);
      } catch (err) {
        // Protocol errors are outcomes, not incidents; anything else is ours to look at.
        // Name and message only: a driver's error carries the SQL parameters (token hashes).
        if (isStorageFault(err))
          logger.warn('rpc handler met a storage fault', { ...log, fault: faultText(err) });
        else if (!(err instanceof OAuthError) || !err.expose)
          logger.error('rpc handler failed', { ...log, ...unexpected(err) });
        return fail(err);
      }
      const response = await check(route.schemas.response, output);
      if (!response.ok) {
        logger.error('rpc handler returned a response its contract forbids', {
          ...log,
          problem: response.problem,
        });
        return fail(new ServerError());
      }
      return { ok: true, body: encodeBody(response.data) };
    } catch (err) {
      // A schema's transform threw, or the response cannot be encoded (too large, BigInt).
      logger.error('rpc dispatch failed', { ...log, err });
      return fail(new ServerError(err));
    }
  }

  return { paths: [...routes.keys()], dispatch };
}

/** What an unexpected error may put in a log: never its other fields (a query's parameters). */
function unexpected(err: unknown): { error: string; stack?: string } {
  const stack = err instanceof Error ? err.stack?.split('\n').slice(1).join('\n') : undefined;
  return { error: faultText(err), ...(stack ? { stack } : {}) };
}

function faultText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
