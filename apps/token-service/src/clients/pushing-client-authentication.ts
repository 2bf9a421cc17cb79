import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '@idp/config';
import type { ClientAuthentication, ClientMetadata } from '@idp/contracts';
import { ClientAuthenticator } from './client-authenticator';

/**
 * Who pushes an authorization request (RFC 9126 2.1): the client
 * authenticates exactly as at /token, every registered method (public
 * clients with `none` included, as RFC 9126 2 allows), and auth-api gets
 * back the metadata it validates the request against, so the push costs
 * one call.
 */
@Injectable()
export class PushingClientAuthentication {
  constructor(
    private readonly authenticator: ClientAuthenticator,
    @Inject(CONFIG) private readonly config: Pick<Config, 'ISSUER'>,
  ) {}

  async authenticate(input: {
    clientAuth: ClientAuthentication;
    endpoints: readonly string[];
  }): Promise<{ client: ClientMetadata }> {
    const client = await this.authenticator.authenticate(
      input.clientAuth,
      input.endpoints,
      this.config.ISSUER,
    );
    return { client: client.metadata };
  }
}
