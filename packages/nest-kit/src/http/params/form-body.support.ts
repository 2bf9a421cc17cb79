import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import { FORM_CONTENT_TYPE } from './form-params';

/**
 * /token, /authorize (POST), /userinfo (POST), /revoke, /introspect and the
 * login and consent forms take application/x-www-form-urlencoded bodies. Nest's FastifyAdapter
 * registers a parser for them unless the app was created with
 * `bodyParser: false`; then we add @fastify/formbody. Either parser yields
 * an array for a repeated name, which `parseParams` refuses.
 *
 * Done from the module, not from main.ts, so it works in every composition
 * root (one app alone or the embedded process). It runs in onModuleInit,
 * before the Fastify instance is ready; the plugin is not encapsulated, so
 * its parser serves every route.
 */
@Injectable()
export class FormBodySupport implements OnModuleInit {
  private readonly log = new Logger('FormBodySupport');

  constructor(private readonly host: HttpAdapterHost) {}

  async onModuleInit(): Promise<void> {
    // No HTTP adapter at all: the module was compiled without a server (a DI-only test).
    const instance = this.host.httpAdapter?.getInstance<FastifyInstance>();
    if (instance === undefined) return;
    if (typeof instance.hasContentTypeParser !== 'function') {
      this.log.warn('form bodies need the Fastify adapter: they will not be parsed');
      return;
    }
    if (instance.hasContentTypeParser(FORM_CONTENT_TYPE)) return;
    await instance.register(formbody);
  }
}
