import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { TokenResponse } from '@idp/contracts';
import {
  clientCredentials,
  formParams,
  installRawRoute,
  isForm,
  oauthErrorResponse,
  readFormBody,
  sendRaw,
  TOKEN_RPC,
  type TokenRpcClient,
} from '@idp/nest-kit';
import { EdgeConfig } from '../http/edge-config';

/** RFC 7523 assertions may carry an x5c chain: more room than other parameters. */
const LONG_PARAMS = { client_assertion: 8192 };

/** Token requests are small forms (as every app's body limit). */
const BODY_LIMIT = 64 * 1024;

/** RFC 6749 5.1: no-store and no-cache on every response that carries tokens (and on errors). */
const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;

/**
 * The token endpoint (RFC 6749 3.2, 5): parse the form, split off the
 * client's credentials, and let token-service do the rest (client
 * authentication, every grant, every error). Its OAuthErrors already carry
 * the status and the WWW-Authenticate challenge and are rendered as the
 * global exception filter renders them (`oauthErrorResponse`).
 *
 * Served from node:http ahead of Fastify and Nest (`installRawRoute`), like
 * /introspect (ADR 0010): every issuance passes here, and the framework's
 * routing, hooks, body parser and reply pipeline cost more than this
 * endpoint's own work (ADR 0012, docs/BENCHMARKS.md).
 */
@Injectable()
export class TokenRoute implements OnModuleInit {
  private readonly log = new Logger('HTTP');

  constructor(
    private readonly host: HttpAdapterHost,
    private readonly edge: EdgeConfig,
    @Inject(TOKEN_RPC) private readonly tokens: Pick<TokenRpcClient, 'token'>,
  ) {}

  onModuleInit(): void {
    // No HTTP adapter: the module was compiled without a server (a DI-only test).
    const server = this.host.httpAdapter?.getHttpServer() as Server | undefined;
    if (server === undefined) return;
    installRawRoute(server, {
      method: 'POST',
      path: '/token',
      handle: (request, response) => void this.serve(request, response),
    });
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let status = 200;
    let body: TokenResponse | string | object;
    let headers: Readonly<Record<string, string>> = NO_STORE;
    try {
      body = await this.answer(request);
    } catch (err) {
      const error = oauthErrorResponse(err, this.log);
      ({ status, body } = error);
      headers = { ...NO_STORE, ...error.headers };
    }
    if (!response.headersSent) sendRaw(response, status, headers, body);
  }

  /** The tokens for one request; throws OAuthErrors for the RFC's error responses. */
  async answer(request: IncomingMessage): Promise<TokenResponse> {
    // The content type first: a body that is not a form is not read at all.
    const body = isForm(request) ? await readFormBody(request, BODY_LIMIT) : {};
    const { clientAuth, params } = clientCredentials(
      request.headers.authorization,
      formParams({ headers: request.headers, body }, LONG_PARAMS),
    );
    // The token endpoint URL is the audience of private_key_jwt assertions (RFC 7523 3).
    return this.tokens.token({ params, clientAuth, endpoint: this.edge.url('/token') });
  }
}
