import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  contextInSpan,
  extractFrom,
  rootLogger,
  runInSpan,
  runWithContext,
  type RequestContext,
} from '@idp/observability';
import type { RouteTimer } from '../metrics/http-metrics';
import { endHttpSpan, startHttpSpan } from './http-span';

/** Where the route template of a request is kept until its access-log line is written. */
const ROUTE = Symbol('idp.routeTemplate');
type RoutedRequest = IncomingMessage & { [ROUTE]?: string };

export interface ObserveOptions {
  /** The route template, when known before the framework routes (raw routes). */
  readonly route?: string;
  /** Records the request in the RED histogram too (routes the framework's hook never sees). */
  readonly timer?: RouteTimer;
  /** false: no server span (probes and scrapes would each be a trace of one span). */
  readonly traced?: boolean;
}

/**
 * Runs one HTTP request inside its request context and writes its
 * access-log line when the response is done:
 * - the context comes from `X-Request-Id` and `traceparent`/`tracestate`,
 *   validated (an invalid one is replaced, never echoed), or is new;
 * - `X-Request-Id` is set on the response before anyone writes it, so
 *   every answer carries it, errors and framework refusals included;
 * - the line names the route template, never the URL (a query string can
 *   hold a code or a token), the status, the duration and the client once
 *   identified (`setClientId`).
 *
 * - with a `timer` (routes served ahead of the framework, which has no
 *   hook for them), the same listener and clock also record the request in
 *   `http_server_request_duration_seconds`, once it was answered.
 *
 * Cost per request: header parsing, one UUID and one traceparent when none
 * came, one ALS run, one close listener and one log line through pino's
 * asynchronous stdout.
 */
export function observeRequest(
  request: IncomingMessage,
  response: ServerResponse,
  handle: (request: IncomingMessage, response: ServerResponse) => void,
  options: ObserveOptions = {},
): void {
  const { route: routeTemplate, timer } = options;
  const incoming = extractFrom(request.headers);
  // Tracing on: the request's server span, whose traceparent the request runs (and logs) under.
  const span = options.traced === false ? undefined : startHttpSpan(request);
  const context = span === undefined ? incoming : contextInSpan(incoming, span);
  const started = performance.now();
  if (routeTemplate !== undefined) (request as RoutedRequest)[ROUTE] = routeTemplate;
  response.setHeader('X-Request-Id', context.requestId);
  response.once('close', () => {
    const elapsed = performance.now() - started;
    // As Fastify's onResponse: an aborted request (never answered) has no duration to record.
    if (timer !== undefined && response.writableFinished)
      timer.observe(request.method, response.statusCode, elapsed / 1000);
    writeAccessLine(request, response, context, elapsed);
    if (span !== undefined) endHttpSpan(span, request, response, (request as RoutedRequest)[ROUTE]);
  });
  if (span === undefined) runWithContext(context, () => handle(request, response));
  else runInSpan(span, () => handle(request, response), context);
}

function writeAccessLine(
  request: RoutedRequest,
  response: ServerResponse,
  context: RequestContext,
  elapsed: number,
): void {
  const status = response.statusCode;
  const log = rootLogger();
  const level = status >= 500 ? 'warn' : 'info';
  if (!log.isLevelEnabled(level)) return;
  log[level](
    {
      log: 'access',
      method: request.method,
      route: request[ROUTE] ?? null,
      status,
      duration_ms: Math.round(elapsed * 100) / 100,
      ...(response.writableFinished ? {} : { aborted: true }),
      request_id: context.requestId,
      trace_id: context.traceId,
      ...(context.clientId === undefined ? {} : { client_id: context.clientId }),
    },
    'request completed',
  );
}

interface FastifyRoutedRequest {
  readonly raw: IncomingMessage;
  readonly routeOptions: { readonly url?: string };
}

/**
 * Observes every request of the app's server (see `observeRequest`): wraps
 * the framework's request listener, and records Fastify's route template
 * (`routeOptions.url`, e.g. `/admin/clients/:id`) for the access log. A raw
 * route installed later (`installRawRoute`) observes its own requests.
 */
export function observeHttp(app: NestFastifyApplication): void {
  const server = app.getHttpServer() as Server;
  const framework = server.listeners('request') as ((
    req: IncomingMessage,
    res: ServerResponse,
  ) => void)[];
  if (framework.length === 0) throw new Error('observeHttp: the server has no request listener');
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) =>
    observeRequest(request, response, (req, res) => {
      for (const listener of framework) listener.call(server, req, res);
    }),
  );
  const fastify = app.getHttpAdapter().getInstance() as {
    addHook(
      name: 'onRequest',
      hook: (request: FastifyRoutedRequest, reply: unknown, done: () => void) => void,
    ): void;
  };
  fastify.addHook('onRequest', (request, _reply, done) => {
    const template = request.routeOptions.url;
    if (template !== undefined) (request.raw as RoutedRequest)[ROUTE] = template;
    done();
  });
}
