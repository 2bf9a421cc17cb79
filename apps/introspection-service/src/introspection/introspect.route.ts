import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Clock } from '@idp/contracts';
import {
  BODY_ONLY_FORM,
  checkFormRequest,
  CLOCK,
  clientCredentials,
  countIntrospectionAnswer,
  EndpointRateLimits,
  FORM_BODY_LIMIT,
  formParams,
  installRawRoute,
  oauthErrorResponse,
  readFormBody,
  sendRaw,
  type IntrospectionOutcome,
} from '@idp/nest-kit';
import { TOKEN_RPC, type TokenRpcClient } from '@idp/contracts';
import { InvalidRequest, NO_STORE, type HttpResponse } from '@idp/oauth-errors';
import { CallerAuthenticator } from './caller-authenticator';
import { IntrospectionConfig } from './introspection-config';
import { introspectionResponse } from './introspection-response';
import { TokenIntrospector } from './token-introspector';

type SignRequest = Parameters<TokenRpcClient['signIntrospectionResponse']>[0];

/** RFC 9701 4: the media type of a signed introspection response. */
export const INTROSPECTION_JWT = 'application/token-introspection+jwt';

/** The longest token token-service accepts for introspection; client assertions as at /token. */
const LONG_PARAMS = { token: 16_384, client_assertion: 8192 };

/**
 * POST /introspect (RFC 7662): a form with `token` and an optional
 * `token_type_hint`, from an authenticated client. The hint is accepted and
 * not needed: every token we issue says by its shape where it is looked up.
 * Answers JSON, or a JWT signed by token-service when the caller asks for
 * RFC 9701's media type.
 *
 * The hottest route of the product, so it is served from node:http ahead
 * of Fastify and Nest (`installRawRoute`): their routing, hooks, body parser
 * and reply pipeline cost more CPU than introspection itself (ADR 0010).
 * The parameters go through the same `formParams`/`clientCredentials` as
 * every other endpoint, and errors get the same RFC 6749 5.2 JSON
 * (`oauthErrorResponse`), so the behaviour is the framework's, minus its cost.
 */
@Injectable()
export class IntrospectRoute implements OnModuleInit {
  private readonly log = new Logger('HTTP');

  constructor(
    private readonly host: HttpAdapterHost,
    private readonly config: IntrospectionConfig,
    private readonly callers: CallerAuthenticator,
    private readonly introspector: TokenIntrospector,
    private readonly limits: EndpointRateLimits,
    @Inject(TOKEN_RPC) private readonly tokens: Pick<TokenRpcClient, 'signIntrospectionResponse'>,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    // No HTTP adapter: the module was compiled without a server (a DI-only test).
    const server = this.host.httpAdapter?.getHttpServer() as Server | undefined;
    if (server === undefined) return;
    installRawRoute(server, {
      method: 'POST',
      path: '/introspect',
      handle: (request, response) => void this.serve(request, response),
    });
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let answer: HttpResponse;
    try {
      answer = await this.answer(request);
    } catch (err) {
      answer = oauthErrorResponse(err, this.log);
      countIntrospectionAnswer(refusalOutcome(answer.status));
      // Refused before its body was read: close rather than read a body nobody wants.
      if (!request.readableEnded)
        answer = { ...answer, headers: { ...answer.headers, Connection: 'close' } };
    }
    if (!response.headersSent) sendRaw(response, answer.status, answer.headers, answer.body);
  }

  /** The answer to one request; throws OAuthErrors for the RFC's error responses. */
  async answer(request: IncomingMessage): Promise<HttpResponse> {
    // Per IP before anything costs: a local token bucket, no I/O (ADR 0016).
    const ip = this.limits.ipOf(request.socket.remoteAddress, request.headers['x-forwarded-for']);
    this.limits.check('introspect', 'ip', ip);
    // The body policy every form endpoint applies, before a byte of the body is read.
    checkFormRequest(request.url ?? '', request.headers, BODY_ONLY_FORM);
    const body = await readFormBody(request, FORM_BODY_LIMIT);
    const { clientAuth, params } = clientCredentials(
      request.headers.authorization,
      formParams({ headers: request.headers, body }, LONG_PARAMS),
    );
    const token = params['token'];
    if (token === undefined) throw new InvalidRequest('token is required');
    const callerId = await this.callers.authenticate(clientAuth);
    this.limits.check('introspect', 'client', callerId);
    const record = await this.introspector.record(token);
    const response = introspectionResponse(record, {
      callerId,
      issuer: this.config.issuer,
      now: this.clock.nowSeconds(),
    });
    const outcome = record.active ? 'active' : 'inactive';
    if (!wantsJwt(request.headers.accept)) {
      countIntrospectionAnswer(outcome);
      return { status: 200, headers: NO_STORE, body: response };
    }
    const { jwt } = await this.tokens.signIntrospectionResponse({
      audience: callerId,
      // Built from the decoded JSON record: JSON all the way down.
      claims: response as SignRequest['claims'],
    });
    countIntrospectionAnswer(outcome);
    return { status: 200, headers: { ...NO_STORE, 'Content-Type': INTROSPECTION_JWT }, body: jwt };
  }
}

/** How a refused introspection counts in idp_introspection_answers_total. */
export function refusalOutcome(status: number): IntrospectionOutcome {
  if (status === 401) return 'caller_refused';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'unavailable';
  return 'invalid_request';
}

/** Whether Accept names the RFC 9701 media type (with a non-zero q). */
export function wantsJwt(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  return accept.split(',').some((range) => {
    const [type, ...parameters] = range.split(';').map((p) => p.trim().toLowerCase());
    if (type !== INTROSPECTION_JWT) return false;
    const q = parameters.find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}
