import type { IncomingMessage, ServerResponse } from 'node:http';
import { ATTR, startSpan, tracingEnabled, type TraceSpan } from '@idp/observability';

const KNOWN_METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
]);

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function methodOf(request: IncomingMessage): string {
  return KNOWN_METHODS.has(request.method ?? '') ? request.method! : '_OTHER';
}

/** The path without the query: a query string can hold a code or a token. */
function pathOf(url: string | undefined): string {
  const path = (url ?? '/').split('?', 1)[0] ?? '/';
  return path.length > 256 ? path.slice(0, 256) : path;
}

/**
 * The server span of one HTTP request (none when tracing is off), continuing
 * the caller's `traceparent` when it sent a valid one. Named by method until
 * the route is known; `endHttpSpan` renames it `METHOD /route/:template`.
 */
export function startHttpSpan(request: IncomingMessage): TraceSpan | undefined {
  if (!tracingEnabled()) return undefined;
  const method = methodOf(request);
  return startSpan(method, {
    kind: 'server',
    parent: {
      traceparent: one(request.headers['traceparent']),
      tracestate: one(request.headers['tracestate']),
    },
    attributes: {
      [ATTR.httpRequestMethod]: method,
      [ATTR.urlPath]: pathOf(request.url),
      [ATTR.urlScheme]: 'http',
      [ATTR.networkProtocolVersion]: request.httpVersion,
    },
  });
}

/** Ends the request's span once the response is done: route, status, 5xx as errors. */
export function endHttpSpan(
  span: TraceSpan,
  request: IncomingMessage,
  response: ServerResponse,
  route: string | undefined,
): void {
  if (route !== undefined) {
    span.updateName(`${methodOf(request)} ${route}`);
    span.setAttribute(ATTR.httpRoute, route);
  }
  const status = response.statusCode;
  span.setAttribute(ATTR.httpResponseStatusCode, status);
  if (status >= 500) span.fail(String(status));
  else if (!response.writableFinished) span.fail('aborted');
  span.end();
}
