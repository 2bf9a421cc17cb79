import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import {
  clientCredentials,
  closesConnection,
  EndpointRateLimits,
  BODY_ONLY_FORM,
  formParams,
  installRawRoute,
  oauthErrorResponse,
  readFormRequest,
  sendRaw,
} from '@idp/nest-kit';
import { TOKEN_RPC, type TokenRpcClient } from '@idp/contracts';
import { NO_STORE, type HttpResponse } from '@idp/oauth-errors';
import { DpopProofs } from '../dpop/dpop-proofs';
import { ClientRateLimit } from '../http/client-rate-limit';
import { ClientCertificates } from '../mtls/client-certificates';
import { EdgeConfig } from '../http/edge-config';

/**
 * RFC 7523 assertions may carry an x5c chain, and RFC 8693 subject and actor
 * tokens may be JWEs: more room than other parameters.
 */
const LONG_PARAMS = { client_assertion: 8192, subject_token: 8192, actor_token: 8192 };

/**
 * The token endpoint (RFC 6749 3.2, 5): parse the form, split off the
 * client's credentials, and let token-service do the rest (client
 * authentication, every grant, every error). Its OAuthErrors already carry
 * the status and the WWW-Authenticate challenge.
 *
 * Served from node:http ahead of Fastify and Nest (`installRawRoute`, as
 * /introspect is: ADR 0010): their routing, hooks, body parser and reply
 * pipeline cost about 5 % of auth-api's work per token and 3.4 % of a
 * whole embedded token (ADR 0026, docs/BENCHMARKS.md). Every answer is the one the Nest route gave, in the order it
 * gave them: the body policy (415, 413, 400, with `Connection: close` where
 * Fastify closed), then the per-IP limit (429), then the parameters, the
 * per-client limit and token-service; errors through `oauthErrorResponse`,
 * the function the global exception filter uses.
 */
@Injectable()
export class TokenRoute implements OnModuleInit {
  private readonly log = new Logger('HTTP');

  constructor(
    private readonly host: HttpAdapterHost,
    private readonly edge: EdgeConfig,
    private readonly limits: EndpointRateLimits,
    private readonly clientLimit: ClientRateLimit,
    private readonly dpop: DpopProofs,
    private readonly certificates: ClientCertificates,
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
    let answer: HttpResponse;
    try {
      answer = await this.answer(request);
    } catch (err) {
      answer = oauthErrorResponse(err, this.log);
      if (closesConnection(err))
        answer = { ...answer, headers: { ...answer.headers, Connection: 'close' } };
    }
    if (!response.headersSent) sendRaw(response, answer.status, answer.headers, answer.body);
  }

  /** The answer to one request; throws OAuthErrors for the RFC's error responses. */
  async answer(request: IncomingMessage): Promise<HttpResponse> {
    const body = await readFormRequest(request, BODY_ONLY_FORM);
    // Per IP once the body is in, where the Nest route's guard checked it (ADR 0016).
    const ip = this.limits.ipOf(request.socket.remoteAddress, request.headers['x-forwarded-for']);
    this.limits.check('token', 'ip', ip);
    const { clientAuth, params } = clientCredentials(
      request.headers.authorization,
      formParams({ headers: request.headers, body }, LONG_PARAMS),
    );
    // RFC 9449 5: a proof on any grant binds the tokens to its key; token-service gets the jkt.
    const proof = await this.dpop.verify(request, '/token', { at: 'token' });
    // RFC 8705 3: the client certificate a trusted proxy forwarded, for certificate-bound tokens.
    const x5t = this.certificates.thumbprintOf(request);
    const cnf = {
      ...(proof === undefined ? {} : { jkt: proof.jkt }),
      ...(x5t === undefined ? {} : { 'x5t#S256': x5t }),
    };
    // The token endpoint URL is the audience of private_key_jwt assertions (RFC 7523 3).
    const tokens = await this.clientLimit.around('token', clientAuth, () =>
      this.tokens.token({
        params,
        clientAuth,
        endpoint: this.edge.url('/token'),
        ...(Object.keys(cnf).length === 0 ? {} : { cnf }),
        // Recorded if a refresh token turns out reused (ADR 0038); `unknown` (no socket) is not sent.
        ...(isIP(ip) === 0 ? {} : { clientIp: ip }),
      }),
    );
    return {
      status: 200,
      headers: proof === undefined ? NO_STORE : { ...NO_STORE, ...this.dpop.nonceHeader() },
      body: tokens,
    };
  }
}
