import { Controller, Header, HttpCode, Inject, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { clientCredentials, FormBody, formParams } from '@idp/nest-kit';
import { TOKEN_RPC, type TokenRpcClient } from '@idp/contracts';
import { SCOPES_SUPPORTED } from '../discovery/discovery-document';
import { ClientRateLimit } from '../http/client-rate-limit';
import { EdgeConfig } from '../http/edge-config';
import { RateLimit } from '../http/rate-limit.guard';
import { DEVICE_AUTHORIZATION_PATH, DEVICE_PAGE_PATH } from './device-paths';

/** RFC 7523 assertions may carry an x5c chain: more room than other parameters. */
const LONG_PARAMS = { client_assertion: 8192 };
const KNOWN_SCOPES: ReadonlySet<string> = new Set(SCOPES_SUPPORTED);

export interface DeviceAuthorizationResponse {
  readonly device_code: string;
  readonly user_code: string;
  readonly verification_uri: string;
  readonly verification_uri_complete: string;
  readonly expires_in: number;
  readonly interval: number;
}

/**
 * RFC 8628 3.1-3.2: the device authorization endpoint. The form and the
 * client's credentials are parsed exactly as at /token (form body only, no
 * query, the /token body limit, one authentication method, no repeated
 * parameters); token-service authenticates the client (public clients
 * included), checks that device_code is among its grant types and grants
 * the scope. Unknown scopes are dropped here as /authorize drops them.
 */
@Controller()
@RateLimit('token')
export class DeviceAuthorizationController {
  constructor(
    private readonly edge: EdgeConfig,
    private readonly clientLimit: ClientRateLimit,
    @Inject(TOKEN_RPC) private readonly tokens: TokenRpcClient,
  ) {}

  @Post(DEVICE_AUTHORIZATION_PATH.slice(1))
  @FormBody({ refuseQuery: true })
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  async authorize(@Req() request: FastifyRequest): Promise<DeviceAuthorizationResponse> {
    const { clientAuth, params } = clientCredentials(
      request.headers.authorization,
      formParams(request, LONG_PARAMS),
    );
    const requested = (params.scope ?? '').split(' ').filter(Boolean);
    const answer = await this.clientLimit.around('token', clientAuth, () =>
      this.tokens.deviceAuthorization({
        clientAuth,
        // The audience of private_key_jwt and client_secret_jwt assertions (RFC 7523 3).
        endpoint: this.edge.url(DEVICE_AUTHORIZATION_PATH),
        scope: requested.filter((s) => KNOWN_SCOPES.has(s)),
        scopeRequested: requested.length > 0,
      }),
    );
    const verificationUri = this.edge.url(DEVICE_PAGE_PATH);
    return {
      device_code: answer.device_code,
      user_code: answer.user_code,
      verification_uri: verificationUri,
      verification_uri_complete: `${verificationUri}?user_code=${encodeURIComponent(answer.user_code)}`,
      expires_in: answer.expires_in,
      interval: answer.interval,
    };
  }
}
