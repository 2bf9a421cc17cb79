import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { InvalidRequest } from '@idp/oauth-errors';
import { mergeRouteConfig } from '../route-config';
import {
  checkFormRequest,
  checkQuery,
  decodeFormBody,
  FORM_CONTENT_TYPE,
  hasBody,
  type FormPolicy,
} from './body-policy';
import {
  checkJsonRequest,
  firstDuplicateMember,
  JSON_CONTENT_TYPE,
  type JsonPolicy,
} from './json-body-policy';

const FORM_POLICY = 'idpFormPolicy';
const STRICT_QUERY = 'idpStrictQuery';
const JSON_POLICY = 'idpJsonPolicy';

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
/**
 * Route decorator for an endpoint that takes an application/json body (the
 * Shared Signals API): anything else is a 415 and a declared body over the
 * policy's limit a 413, before any byte of the body is read; a body whose
 * objects repeat a member name is a 400, never read as its last value.
 */
export const JsonBody = (policy: JsonPolicy): MethodDecorator =>
  mergeRouteConfig({ [JSON_POLICY]: policy });

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
    this.strictJson(instance);
    instance.addHook('onRequest', async (request, reply) => {
      const config = routeConfigOf(request);
      const policy = config?.[FORM_POLICY] as FormPolicy | undefined;
      const json = config?.[JSON_POLICY] as JsonPolicy | undefined;
      try {
        if (policy !== undefined) checkFormRequest(request.url, request.headers, policy);
        else if (json !== undefined) checkJsonRequest(request.url, request.headers, json);
        else if (config?.[STRICT_QUERY] === true) checkQuery(request.url);
      } catch (err) {
        // Refused before the body was read: close the connection rather than read (or leave
        // half-read) a body nobody wants, as Fastify does for a body over the limit.
        if (hasBody(request.headers)) void reply.header('Connection', 'close');
        throw err;
      }
    });
  }

  /**
   * Fastify's own JSON parser (prototype poisoning refused, as by default),
   * plus, on `JsonBody` routes, the duplicate member check.
   */
  private strictJson(instance: FastifyInstance): void {
    const parse = instance.getDefaultJsonParser('error', 'error');
    if (instance.hasContentTypeParser(JSON_CONTENT_TYPE))
      instance.removeContentTypeParser(JSON_CONTENT_TYPE);
    instance.addContentTypeParser(
      JSON_CONTENT_TYPE,
      { parseAs: 'string' },
      (request, raw, done) => {
        const body = String(raw);
        // The default parser answers through `done` (its return value is nothing to wait for).
        void parse(request, body, (err, value) => {
          if (err) return done(err, undefined);
          const strict = routeConfigOf(request)?.[JSON_POLICY] !== undefined;
          if (strict && firstDuplicateMember(body) !== undefined)
            return done(
              new InvalidRequest('a member name appears twice in one JSON object'),
              undefined,
            );
          done(null, value);
        });
      },
    );
  }
}
