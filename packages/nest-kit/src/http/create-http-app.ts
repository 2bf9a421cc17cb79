import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { STATUS_CODES, type OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { NO_STORE } from '@idp/oauth-errors';
import { nestLogger } from '../logging/nest-logger';
import { observeHttp } from './access-log';
import { frameworkDescription, OAuthExceptionFilter } from './oauth-exception.filter';
import { installRequestMetrics } from './request-metrics.hook';
import { trackRouteMethods } from './route-methods';

export interface HttpAppOptions {
  /**
   * This app's Nest log lines at another level than LOG_LEVEL (tests pass
   * `error`); every line goes through pino either way.
   */
  readonly logLevel?: string;
  /** Bodies beyond this are refused with 413 before parsing (OAuth requests are small). */
  readonly bodyLimit?: number;
}

/**
 * One way to build every app's HTTP server: Fastify and our error filter.
 * No Nest signal hooks: a process's one SIGTERM/SIGINT handler is its
 * shutdown sequence (runService's `shutdown`, docs/operations/restarts.md).
 */
export async function createHttpApp(
  module: unknown,
  options: HttpAppOptions = {},
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    module as never,
    new FastifyAdapter({
      bodyLimit: options.bodyLimit ?? 64 * 1024,
      trustProxy: true,
      // Ids (client_id, sub, sid) may have up to 200 characters (contracts' `id`); Fastify's
      // default of 100 answered 414 to a longer one before any handler, so such a user or
      // session could not be administered by path. Longer is still 414.
      routerOptions: { maxParamLength: 200 },
      frameworkErrors,
      clientErrorHandler,
    }),
    { logger: nestLogger(options.logLevel), bufferLogs: false },
  );
  observeHttp(app); // request id, trace context and access log: ./access-log.ts
  // Before Nest registers the routes (at init): a wrong method is then a 405, not a 404.
  trackRouteMethods(app.getHttpAdapter().getInstance() as Parameters<typeof trackRouteMethods>[0]);
  installRequestMetrics(
    app.getHttpAdapter().getInstance() as Parameters<typeof installRequestMetrics>[0],
  );
  app.useGlobalFilters(new OAuthExceptionFilter());
  return app;
}

export async function listen(app: INestApplication, port: number, host: string): Promise<string> {
  await app.listen(port, host);
  const url = await app.getUrl();
  return url.replace('[::1]', 'localhost');
}

function oauthErrorJson(status: number): string {
  return JSON.stringify({
    error: 'invalid_request',
    error_description: frameworkDescription(status),
  });
}

/**
 * What Fastify refuses before routing (a path that is not valid percent-
 * encoding, a path parameter over maxParamLength) never reaches Nest's
 * filter. Fastify's own answer repeats the URL and names its error codes;
 * this one has the OAuth shape and a fixed text instead.
 */
/** What HTTP/1 and HTTP/2 responses both offer. */
interface RawResponse {
  writeHead(status: number, headers: OutgoingHttpHeaders): unknown;
  end(body: string): unknown;
}

function frameworkErrors(
  error: { readonly statusCode?: number },
  _request: unknown,
  reply: { readonly raw: RawResponse },
): void {
  const status = error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 400;
  const body = oauthErrorJson(status);
  reply.raw.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    ...NO_STORE,
  });
  reply.raw.end(body);
}

/**
 * Requests Node's HTTP parser cannot read (headers over --max-http-header-size,
 * malformed request lines) are answered on the socket, as Fastify's default
 * handler does, but in the OAuth shape; the connection is then closed.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? 431
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 408
        : 400;
  const body =
    status === 408
      ? JSON.stringify({ error: 'invalid_request', error_description: 'request timeout' })
      : oauthErrorJson(status);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Bad Request'}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        'Cache-Control: no-store\r\n' +
        'Connection: close\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
