import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '@idp/config';
import type { ClientAuthentication, Confirmation, TokenResponse } from '@idp/contracts';
import { allowsGrant, TOKEN_GRANT_TYPES } from '@idp/domain';
import {
  InvalidDpopProof,
  InvalidRequest,
  UnauthorizedClient,
  UnsupportedGrantType,
} from '@idp/oauth-errors';
import { ClientAuthenticator } from '../clients/client-authenticator';
import { GRANT_HANDLERS, type GrantHandler } from './grant-handler';

/** The /token pipeline, read top to bottom (node-oidc-provider's actions/token.js). */
@Injectable()
export class TokenEndpoint {
  private readonly handlers: ReadonlyMap<string, GrantHandler>;

  constructor(
    @Inject(GRANT_HANDLERS) handlers: GrantHandler[],
    @Inject(CONFIG) private readonly config: Config,
    private readonly authenticator: ClientAuthenticator,
  ) {
    this.handlers = new Map(handlers.map((h) => [h.grantType, h]));
    // Discovery advertises TOKEN_GRANT_TYPES: each must have exactly one handler.
    const served = handlers.map((h) => h.grantType).sort();
    if (served.join(' ') !== [...TOKEN_GRANT_TYPES].sort().join(' '))
      throw new Error(`grant handlers (${served.join(', ')}) must match TOKEN_GRANT_TYPES`);
  }

  async handle(input: {
    params: Record<string, string>;
    clientAuth: ClientAuthentication;
    endpoint: string;
    /** The verified DPoP proof's key thumbprint, when the request had one (RFC 9449 5). */
    cnf?: Confirmation | undefined;
  }): Promise<TokenResponse> {
    const { params } = input;
    const grantType = params.grant_type;
    if (!grantType) throw new InvalidRequest('grant_type is required');
    const handler = this.handlers.get(grantType);
    if (!handler) throw new UnsupportedGrantType(`grant_type ${grantType} is not supported`);
    const client = await this.authenticator.authenticate(
      input.clientAuth,
      input.endpoint,
      this.config.ISSUER,
    );
    if (!allowsGrant(client, grantType))
      throw new UnauthorizedClient(`the client may not use grant_type ${grantType}`);
    for (const name of handler.requiredParams) {
      if (!params[name]) throw new InvalidRequest(`${name} is required`);
    }
    // RFC 9449 5.2: a client registered with dpop_bound_access_tokens gets no Bearer token.
    if (client.metadata.dpop_bound_access_tokens && input.cnf?.jkt === undefined)
      throw new InvalidDpopProof('this client must send a DPoP proof with every token request');
    return handler.handle(params, client, input.cnf === undefined ? {} : { cnf: input.cnf });
  }
}
