import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  OAuthError,
  renderOAuthError,
  type HttpResponse,
  type OAuthErrorCode,
} from '@idp/oauth-errors';
import { methodNotAllowed } from './route-methods';
import { mergeRouteConfig } from './route-config';

/** Fastify's own client errors (bad JSON, wrong content type, body too large) carry a 4xx statusCode. */
function clientErrorStatus(err: unknown): number | undefined {
  const status = (err as { statusCode?: unknown })?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

function codeFor(status: number): OAuthErrorCode {
  return status === 401 ? 'invalid_client' : 'invalid_request';
}

/**
 * Fixed texts for what the framework refuses before a handler runs. Its own
 * messages name parsers and limits, and some repeat the request (the URL of
 * FST_ERR_BAD_URL): none of that is shown.
 */
const FRAMEWORK_DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'malformed request',
  404: 'not found',
  405: 'method not allowed',
  413: 'request body too large',
  414: 'request URI too long',
  415: 'unsupported content type',
  431: 'request header fields too large',
};

export function frameworkDescription(status: number): string {
  return FRAMEWORK_DESCRIPTIONS[status] ?? 'malformed request';
}

/** RFC 6749 5.2 (and RFC 6750 3): error_description is %x20-21 / %x23-5B / %x5D-7E. */
const NOT_DESCRIPTION_CHAR = /[^\x20-\x21\x23-\x5b\x5d-\x7e]/g;

/**
 * An error_description as the RFCs allow it: other characters (a NUL, a
 * non-ASCII character or a quote repeated from the request) become `?`.
 * Also safe inside a quoted challenge parameter (no `"` or `\`).
 */
export function safeDescription(description: string): string {
  return description.replace(NOT_DESCRIPTION_CHAR, '?');
}

/**
 * Renders an error for one route: an HTML page for browser-facing routes, or
 * JSON with a challenge for a protected resource. It gets the error as the
 * filter normalised it (an OAuthError, or the unexpected failure itself,
 * which must render as a generic server_error: use renderOAuthError).
 */
export type ErrorRenderer = (error: unknown) => HttpResponse;

const ERROR_RENDERER = 'idpErrorRenderer';

/**
 * Route decorator: errors of this route, including the ones Fastify raises
 * before the handler runs (body too large, unsupported content type,
 * malformed JSON), are rendered by `render` instead of as JSON.
 */
export const RenderErrorsWith = (render: ErrorRenderer): MethodDecorator =>
  mergeRouteConfig({ [ERROR_RENDERER]: render });

function routeRenderer(request: FastifyRequest | undefined): ErrorRenderer | undefined {
  const config = request?.routeOptions?.config as Record<string, unknown> | undefined;
  const render = config?.[ERROR_RENDERER];
  return typeof render === 'function' ? (render as ErrorRenderer) : undefined;
}

/**
 * Every HTTP error leaves through here (node-oidc-provider's error_handler):
 * OAuth errors as RFC 6749 5.2 JSON, framework 4xx as invalid_request with
 * their status, everything else as a generic server_error, logged with its
 * cause but never shown. A route may render its errors itself
 * (`RenderErrorsWith`).
 */
@Catch()
export class OAuthExceptionFilter implements ExceptionFilter {
  private readonly log = new Logger('HTTP');

  catch(caught: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    // No route for this method, but one for another: 405 with Allow, not 404.
    const exception =
      methodNotAllowed(caught, http.getRequest<FastifyRequest | undefined>()) ?? caught;
    const custom = routeRenderer(http.getRequest<FastifyRequest | undefined>());
    if (custom !== undefined) {
      const error = toOAuthError(exception);
      logServerError(this.log, exception, error);
      const response = this.renderWith(custom, error);
      if (response !== undefined) {
        void reply.status(response.status).headers(response.headers).send(response.body);
        return;
      }
    }
    const response = oauthErrorResponse(exception, this.log);
    void reply.status(response.status).headers(response.headers).send(response.body);
  }

  /** A failing renderer must not turn a 4xx into a crash: the JSON answer is the fallback. */
  private renderWith(render: ErrorRenderer, error: unknown): HttpResponse | undefined {
    try {
      return render(error);
    } catch (err) {
      this.log.error(`error renderer failed: ${describe(err)}`);
      return undefined;
    }
  }
}

/**
 * Maps what a handler or the framework threw to the OAuth shape: OAuth errors
 * as they are, Nest's and Fastify's 4xx as invalid_request with their status
 * and a fixed text, anything else unchanged (rendered as server_error).
 */
export function toOAuthError(exception: unknown): unknown {
  if (exception instanceof OAuthError) return exception;
  if (exception instanceof HttpException && exception.getStatus() < 500) {
    // Nest's own (404 "Cannot GET /path", a pipe's message): our code throws OAuthErrors.
    const status = exception.getStatus();
    return new OAuthError(codeFor(status), { status, description: frameworkDescription(status) });
  }
  const status = clientErrorStatus(exception);
  if (status !== undefined) {
    return new OAuthError('invalid_request', {
      status,
      description: frameworkDescription(status),
    });
  }
  return exception;
}

/**
 * The RFC 6749 5.2 JSON answer for any exception, for routes served outside
 * Nest's pipeline (introspection's hot path) as well as by the filter. A
 * server_error is logged with its cause and never shown.
 */
export function oauthErrorResponse(exception: unknown, log: Pick<Logger, 'error'>): HttpResponse {
  const error = toOAuthError(exception);
  const rendered = renderOAuthError(error);
  logServerError(log, exception, error);
  const body =
    rendered.body.error_description === undefined
      ? rendered.body
      : { ...rendered.body, error_description: safeDescription(rendered.body.error_description) };
  return { status: rendered.status, headers: rendered.headers, body };
}

function logServerError(log: Pick<Logger, 'error'>, exception: unknown, error: unknown): void {
  const rendered = renderOAuthError(error);
  // A 503 (a storage fault, a peer failing over) is named as what it is, not as a server_error.
  if (rendered.status >= 500)
    log.error(`${rendered.body.error}: ${describe(rendered.cause ?? exception)}`);
}

/** Error name and message only: a stack can hold request data, and tokens are never logged. */
function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
