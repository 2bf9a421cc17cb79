import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  contextInSpan,
  extractFrom,
  logAccess,
  runInSpan,
  runWithContext,
} from '@idp/observability';
import type { RouteTimer } from '../metrics/http-metrics';
import { endHttpSpan, startHttpSpan } from './http-span';

/** Where the route template of a request is kept until its access-log line is written. */
const ROUTE = Symbol('idp.routeTemplate');
type RoutedRequest = IncomingMessage & { [ROUTE]?: string };

/** Where a response keeps its request id for `sendRaw` (see `ObserveOptions.answeredBySendRaw`). */
const REQUEST_ID = Symbol('idp.requestId');
type TaggedResponse = ServerResponse & { [REQUEST_ID]?: string };

/** The request id `sendRaw` must write, when the response's observer left it to it. */
export function pendingRequestId(response: ServerResponse): string | undefined {
  return (response as TaggedResponse)[REQUEST_ID];
}

export interface ObserveOptions {
  /** The route template, when known before the framework routes (raw routes). */
  readonly route?: string;
  /** Records the request in the RED histogram too (routes the framework's hook never sees). */
  readonly timer?: RouteTimer;
  /** false: no server span (probes and scrapes would each be a trace of one span). */
  readonly traced?: boolean;
  /**
   * true: every answer of the handler is written by `sendRaw`, which puts
   * `X-Request-Id` among the headers of its one `writeHead`. A header set
   * ahead with `setHeader` would make Node validate and merge every header
   * of the answer one by one (measured: about 14k instructions of the
   * ~90k that observing a request cost; docs/BENCHMARKS.md).
   */
  readonly answeredBySendRaw?: boolean;
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
 * came, one ALS run, one close listener and one access line appended to
 * pino's asynchronous stdout (`logAccess`).
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
  if (options.answeredBySendRaw === true)
    (response as TaggedResponse)[REQUEST_ID] = context.requestId;
  else response.setHeader('X-Request-Id', context.requestId);
  response.once('close', () => {
    const elapsed = performance.now() - started;
    const answered = response.writableFinished;
    // As Fastify's onResponse: an aborted request (never answered) has no duration to record.
    if (timer !== undefined && answered)
      timer.observe(request.method, response.statusCode, elapsed / 1000);
    logAccess({
      method: request.method,
      route: (request as RoutedRequest)[ROUTE] ?? null,
      status: response.statusCode,
      durationMs: elapsed,
      aborted: !answered,
      requestId: context.requestId,
      traceId: context.traceId,
      clientId: context.clientId,
    });
    if (span !== undefined) endHttpSpan(span, request, response, (request as RoutedRequest)[ROUTE]);
  });
  if (span === undefined) runWithContext(context, () => handle(request, response));
  else runInSpan(span, () => handle(request, response), context);
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
