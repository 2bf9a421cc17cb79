import { Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FormBody, formParams, isForm, RenderErrorsWith, StrictQuery } from '@idp/nest-kit';
import { TOKEN_RPC, type TokenRpcClient } from '@idp/contracts';
import type { RawParams } from '@idp/nest-kit';
import { withDpopChallenge, withReadChallenges } from '../dpop/dpop-challenge';
import { DpopProofs } from '../dpop/dpop-proofs';
import { ClientCertificates } from '../mtls/client-certificates';
import {
  bearerErrorResponse,
  MAX_ACCESS_TOKEN_LENGTH,
  presentedToken,
  type BearerSources,
  type PresentedToken,
} from '../http/bearer-token';
import { RateLimit } from '../http/rate-limit.guard';

/**
 * The UserInfo endpoint (OIDC Core 5.3): GET or POST, the access token as a
 * Bearer token (RFC 6750) or a DPoP-bound one with its proof (RFC 9449 7):
 * auth-api checks the proof (with `ath`), token-service compares its key
 * with the token's `cnf.jkt`. token-service decides everything else: which
 * tokens are accepted (every access token we issue, never an ID token), the
 * claims, and whether the client asked for a signed response. Its errors
 * (invalid_token 401, insufficient_scope 403) carry their challenges.
 */
@Controller('userinfo')
@RateLimit('userinfo')
export class UserinfoController {
  constructor(
    @Inject(TOKEN_RPC) private readonly tokens: TokenRpcClient,
    private readonly dpop: DpopProofs,
    private readonly certificates: ClientCertificates,
  ) {}

  @Get()
  @StrictQuery()
  @RenderErrorsWith(bearerErrorResponse)
  get(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return this.answer(
      this.presented({ authorization: request.headers.authorization, query: queryOf(request) }),
      request,
      reply,
    );
  }

  /** RFC 6750 2.2: the form-encoded body method, for POST only. */
  @Post()
  @FormBody({ bodyOptional: true })
  @HttpCode(200)
  @RenderErrorsWith(bearerErrorResponse)
  post(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    const form = isForm(request)
      ? formParams(request, { access_token: MAX_ACCESS_TOKEN_LENGTH })
      : undefined;
    return this.answer(
      this.presented({
        authorization: request.headers.authorization,
        query: queryOf(request),
        form,
      }),
      request,
      reply,
    );
  }

  /** The token as presented; errors reading it carry the challenges of both schemes (RFC 9449 7.1). */
  private presented(sources: BearerSources): PresentedToken {
    try {
      return presentedToken(sources);
    } catch (err) {
      throw withReadChallenges(err, sources.authorization, this.dpop.algs);
    }
  }

  private async answer(
    presented: PresentedToken,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<unknown> {
    const accessToken = presented.token;
    // RFC 8705 3: a certificate-bound token needs the certificate it is bound to.
    const x5t = this.certificates.thumbprintOf(request.raw);
    const certificate = x5t === undefined ? {} : { 'x5t#S256': x5t };
    if (presented.scheme === 'Bearer')
      return this.claims(
        x5t === undefined ? { accessToken } : { accessToken, cnf: certificate },
        reply,
      );
    try {
      const proof = await this.dpop.verify(request.raw, '/userinfo', {
        at: 'resource',
        accessToken,
      });
      if (proof === undefined) throw this.dpop.missingProof();
      reply.headers(this.dpop.nonceHeader());
      return await this.claims(
        { accessToken, scheme: 'DPoP', cnf: { jkt: proof.jkt, ...certificate } },
        reply,
      );
    } catch (err) {
      throw withDpopChallenge(err, this.dpop.algs);
    }
  }

  /** OIDC Core 5.3.2: JSON claims, or a signed JWT as application/jwt. Never cached. */
  private async claims(
    request: Parameters<TokenRpcClient['userinfo']>[0],
    reply: FastifyReply,
  ): Promise<unknown> {
    const result = await this.tokens.userinfo(request);
    reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
    if (result.format === 'jwt') {
      reply.type('application/jwt');
      return result.jwt;
    }
    return result.claims;
  }
}

function queryOf(request: FastifyRequest): RawParams {
  return (request.query ?? {}) as RawParams;
}
