import { Inject, Injectable } from '@nestjs/common';
import { uuidv7, type TokenResponse } from '@idp/contracts';
import {
  grantDecider,
  grantStream,
  narrowScope,
  scopeTokens,
  tokenTargets,
  type RegisteredClient,
} from '@idp/domain';
import { COMMAND_RUNNER, countIssuedTokens } from '@idp/nest-kit';
import type { CommandRunner } from '@idp/eventsourcing';
import { InvalidScope } from '@idp/oauth-errors';
import { TokenMinter } from '../tokens/token-minter.service';
import { tokenTypeFor, type GrantHandler, type RequestBinding } from './grant-handler';

/** RFC 6749 4.4: a token for the client itself; no user, no refresh token, no ID token. */
@Injectable()
export class ClientCredentialsHandler implements GrantHandler {
  readonly grantType = 'client_credentials';
  readonly requiredParams = [];

  constructor(
    @Inject(COMMAND_RUNNER) private readonly runner: CommandRunner,
    private readonly minter: TokenMinter,
  ) {}

  async handle(
    params: Readonly<Record<string, string>>,
    client: RegisteredClient,
    binding: RequestBinding,
  ): Promise<TokenResponse> {
    const registered = client.metadata.scope ?? '';
    const scope = params.scope ? narrowScope(registered, params.scope) : registered;
    if (params.scope && scope === undefined)
      throw new InvalidScope('requested scope exceeds the client registration');
    const granted = scopeTokens(scope ?? '')
      .filter((s) => s !== 'openid' && s !== 'offline_access')
      .join(' ');
    // RFC 8707 2.2: one of the client's registered resources, or all of them as before.
    const targets = tokenTargets(params.resource, client.metadata.resources);
    const meta = this.runner.requestMeta();
    const { now } = meta;
    const grantId = uuidv7();
    const at = await this.minter.accessToken({
      grantId,
      client,
      subject: { sub: null },
      targets,
      scope: granted,
      extraClaims: {},
      now,
      cnf: binding.cnf,
    });
    await this.runner.runNew(grantDecider, grantStream(grantId), {
      type: 'IssueClientCredentialsToken',
      grantId,
      clientId: client.clientId,
      scope: granted,
      accessToken: at.spec,
      meta,
    });
    countIssuedTokens('client_credentials', { accessToken: at.spec });
    return {
      access_token: at.token,
      token_type: tokenTypeFor(at.spec.cnf),
      expires_in: at.spec.exp - now,
      ...(granted ? { scope: granted } : {}),
    };
  }
}
