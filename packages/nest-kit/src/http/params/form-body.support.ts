import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { mergeRouteConfig } from '../route-config';
import {
  checkFormRequest,
  checkQuery,
  decodeFormBody,
  FORM_CONTENT_TYPE,
  hasBody,
  type FormPolicy,
} from './body-policy';

const FORM_POLICY = 'idpFormPolicy';
const STRICT_QUERY = 'idpStrictQuery';

/**
 * Route decorator for an endpoint that takes an
 * application/x-www-form-urlencoded body (/token, /revoke, POST /authorize,
 * POST /userinfo, the login and consent forms, POST /logout): the body
 * policy (`checkFormRequest`) is applied before any byte of the body is
 * read, so a JSON or multipart body is a 415 here, as at /introspect, and
 * never reaches another parser.
 */
export const FormBody = (policy: FormPolicy = {}): MethodDecorator =>
  mergeRouteConfig({ [FORM_POLICY]: policy });

/**
 * Route decorator for an endpoint that reads its parameters from the query
 * (GET /authorize, GET /logout, GET /userinfo): a query that is not valid
 * percent-encoded UTF-8 is refused (400) before the handler, instead of
 * reaching it undecoded (`state=%C0%AF`). Endpoints that ignore their query
 * (discovery, health) do not check it.
 */
export const StrictQuery = (): MethodDecorator => mergeRouteConfig({ [STRICT_QUERY]: true });

function routeConfigOf(request: FastifyRequest): Record<string, unknown> | undefined {
  return request.routeOptions?.config as unknown as Record<string, unknown> | undefined;
}

/**
 * Form bodies are decoded by `decodeFormBody`, the same decoder the
 * node:http routes use (introspection), in place of any parser Nest or a
 * plugin registered: UTF-8 only, a repeated name becomes an array (which
 * `parseParams` refuses), nothing nested. An onRequest hook applies each
 * route's `FormBody` policy, or its `StrictQuery`.
 *
 * Done from the module, not from main.ts, so it works in every composition
 * root (one app alone or the embedded process). It runs in onModuleInit,
 * before the Fastify instance is ready; parsers and hooks added then serve
 * every route.
 */
@Injectable()
export class FormBodySupport implements OnModuleInit {
  private readonly log = new Logger('FormBodySupport');

  constructor(private readonly host: HttpAdapterHost) {}

  onModuleInit(): void {
    // No HTTP adapter at all: the module was compiled without a server (a DI-only test).
    const instance = this.host.httpAdapter?.getInstance<FastifyInstance>();
    if (instance === undefined) return;
    if (typeof instance.hasContentTypeParser !== 'function') {
      this.log.warn('form bodies need the Fastify adapter: they will not be parsed');
      return;
    }
    if (instance.hasContentTypeParser(FORM_CONTENT_TYPE))
      instance.removeContentTypeParser(FORM_CONTENT_TYPE);
    instance.addContentTypeParser(FORM_CONTENT_TYPE, { parseAs: 'buffer' }, (_req, body, done) => {
      try {
        done(null, decodeFormBody(body as Buffer));
      } catch (err) {
        done(err as Error, undefined);
      }
    });
    instance.addHook('onRequest', async (request, reply) => {
      const config = routeConfigOf(request);
      const policy = config?.[FORM_POLICY] as FormPolicy | undefined;
      try {
        if (policy !== undefined) checkFormRequest(request.url, request.headers, policy);
        else if (config?.[STRICT_QUERY] === true) checkQuery(request.url);
      } catch (err) {
        // Refused before the body was read: close the connection rather than read (or leave
        // half-read) a body nobody wants, as Fastify does for a body over the limit.
        if (hasBody(request.headers)) void reply.header('Connection', 'close');
        throw err;
      }
    });
  }
}
