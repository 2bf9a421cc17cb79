import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '@idp/config';
import type { ClientAuthentication, Confirmation, TokenResponse } from '@idp/contracts';
import { allowsGrant, TOKEN_GRANT_TYPES, type RegisteredClient } from '@idp/domain';
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
    /** What the edge verified: the DPoP proof key (RFC 9449 5) and the forwarded client certificate (RFC 8705 3). */
    cnf?: Confirmation | undefined;
    /** The caller's IP address (auth-api's trusted-proxy rule), for the reuse record (ADR 0038). */
    clientIp?: string | undefined;
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
    const cnf = confirmationFor(client, input.cnf);
    return handler.handle(
      params,
      client,
      cnf === undefined ? {} : { cnf },
      input.clientIp === undefined ? {} : { clientIp: input.clientIp },
    );
  }
}

/**
 * What the tokens are bound to: the DPoP key whenever a proof came (RFC 9449
 * 5), the client certificate only for a client registered with
 * tls_client_certificate_bound_access_tokens (RFC 8705 3.4). A client that
 * registered either kind of binding gets no unbound token.
 */
function confirmationFor(
  client: RegisteredClient,
  presented: Confirmation | undefined,
): Confirmation | undefined {
  const m = client.metadata;
  const jkt = presented?.jkt;
  const x5t = presented?.['x5t#S256'];
  // RFC 9449 5.2: a client registered with dpop_bound_access_tokens gets no Bearer token.
  if (m.dpop_bound_access_tokens && jkt === undefined)
    throw new InvalidDpopProof('this client must send a DPoP proof with every token request');
  if (m.tls_client_certificate_bound_access_tokens && x5t === undefined)
    throw new InvalidRequest(
      'this client binds its access tokens to its TLS client certificate: none was presented',
    );
  const cnf: Confirmation = {
    ...(jkt === undefined ? {} : { jkt }),
    ...(m.tls_client_certificate_bound_access_tokens && x5t !== undefined
      ? { 'x5t#S256': x5t }
      : {}),
  };
  return Object.keys(cnf).length === 0 ? undefined : cnf;
}
