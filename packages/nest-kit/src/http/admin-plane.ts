import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { observeRequest } from './access-log';
import { frameworkDescription } from './oauth-exception.filter';

/**
 * The admin plane (ADR 0017): `/admin/*`, `/metrics` and `/health/*` answer
 * only on a second listener (ADMIN_HOST:ADMIN_PORT), everything else only on
 * the public one. Both listeners hand their requests to the same Fastify
 * instance, so there is one set of routes, hooks, filters and shutdown; the
 * admin listener marks its requests, and one onRequest hook refuses a route
 * on the wrong plane with the 404 a route that does not exist gets.
 */
const ADMIN_PATH = /^\/(?:admin|metrics|health)(?:\/|$)/;
const adminRequests = new WeakSet<IncomingMessage>();

/** Whether a path (or a route template) belongs to the admin plane. */
export function isAdminPath(path: string): boolean {
  return ADMIN_PATH.test(path);
}

/** What is needed of the Fastify instance (structural: Nest's adapter may bring its own Fastify types). */
export interface PlaneRouter {
  addHook(
    name: 'onRequest',
    hook: (
      request: PlaneRequest,
      reply: { code(status: number): PlaneReply },
      done: () => void,
    ) => void,
  ): unknown;
  addHook(name: 'onClose', hook: (instance: unknown, done: () => void) => void): unknown;
  routing(request: IncomingMessage, response: ServerResponse): void;
}
interface PlaneRequest {
  readonly raw: IncomingMessage;
  readonly url: string;
  readonly routeOptions?: { readonly url?: string };
}
interface PlaneReply {
  headers(values: Record<string, string>): PlaneReply;
  send(body: unknown): unknown;
}

/** The path a router decoded or would decode: `/%61dmin` is `/admin` to find-my-way. */
function decodedPath(url: string): string {
  const path = url.split('?', 1)[0] ?? url;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function onAdminPlane(request: PlaneRequest): boolean {
  return adminRequests.has(request.raw);
}

/**
 * Installs the plane check. Call before the app initialises (Fastify takes
 * no hooks once it is ready). A matched route is judged by its template, so
 * no spelling of a URL reaches an admin route on the public listener; an
 * unmatched one by its decoded path, so the 405 of an admin path (`POST
 * /metrics`) does not leak through the public listener either.
 */
export function separatePlanes(router: PlaneRouter): void {
  router.addHook('onRequest', (request, reply, done) => {
    const template = request.routeOptions?.url;
    const adminRoute = isAdminPath(template ?? decodedPath(request.url));
    if (adminRoute === onAdminPlane(request)) {
      done();
      return;
    }
    reply
      .code(404)
      .headers({ 'cache-control': 'no-store', pragma: 'no-cache' })
      .send({ error: 'invalid_request', error_description: frameworkDescription(404) });
  });
}

export interface AdminListener {
  readonly server: Server;
  readonly url: string;
}

/**
 * Opens the admin listener: its requests are marked and routed by the same
 * Fastify instance. Closing the app closes it (an onClose hook, so call
 * `separatePlanes` and this before the app is ready; it listens at once).
 */
export function openAdminListener(
  router: PlaneRouter,
  clientErrorHandler: (error: NodeJS.ErrnoException, socket: Socket) => void,
): { listen(port: number, host: string): Promise<AdminListener> } {
  const server = createServer((request, response) => {
    adminRequests.add(request);
    // Probes and scrapes come every few seconds: logged and timed, but no trace each.
    const traced = !isProbeOrScrape(request.url);
    observeRequest(request, response, (req, res) => router.routing(req, res), { traced }); // ./access-log.ts
  });
  server.on('clientError', clientErrorHandler);
  router.addHook('onClose', (_instance, done) => {
    if (!server.listening) {
      done();
      return;
    }
    server.close(() => done());
    server.closeIdleConnections();
  });
  return {
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const { port: bound } = server.address() as AddressInfo;
          const shown = host.includes(':') ? `[${host}]` : host;
          resolve({ server, url: `http://${shown}:${bound}` });
        });
      }),
  };
}

/** `/health`, `/health/*` and `/metrics`, with or without a query string. */
export function isProbeOrScrape(url: string | undefined): boolean {
  const path = (url ?? '').split('?', 1)[0] as string;
  return path === '/metrics' || path === '/health' || path.startsWith('/health/');
}
