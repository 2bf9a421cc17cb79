import { Inject, Injectable } from '@nestjs/common';
import type { TokenResponse } from '@idp/contracts';
import {
  claimsRequestForClient,
  GrantErrors,
  grantDecider,
  grantStream,
  hasScope,
  rejectionFor,
  tokenTargets,
  type RegisteredClient,
} from '@idp/domain';
import { COMMAND_RUNNER, countIssuedTokens } from '@idp/nest-kit';
import type { CommandRunner } from '@idp/eventsourcing';
import { InvalidGrant } from '@idp/oauth-errors';
import { IntrospectionTombstones } from '../read-model/introspection-tombstones';
import { TokenSecrets } from '../secrets/token-secrets';
import { TokenMinter } from '../tokens/token-minter.service';
import { UserDirectory } from '../users/user-directory.service';
import { grantOfToken } from './grant-loader';
import {
  refreshBindingFor,
  tokenTypeFor,
  type GrantHandler,
  type RequestBinding,
} from './grant-handler';
import { claimsFor } from './user-claims';

/**
 * RFC 6749 4.1.3 + RFC 7636: redeem a code once. Tokens are minted first
 * (from the grant as read), then the decider checks client, redirect_uri,
 * PKCE and single use against the latest stream; a replay appends the
 * revocation of the whole grant and only then fails.
 */
@Injectable()
export class AuthorizationCodeHandler implements GrantHandler {
  readonly grantType = 'authorization_code';
  readonly requiredParams = ['code'];

  constructor(
    @Inject(COMMAND_RUNNER) private readonly runner: CommandRunner,
    private readonly secrets: TokenSecrets,
    private readonly minter: TokenMinter,
    private readonly users: UserDirectory,
    private readonly tombstones: IntrospectionTombstones,
  ) {}

  async handle(
    params: Readonly<Record<string, string>>,
    client: RegisteredClient,
    binding: RequestBinding,
  ): Promise<TokenResponse> {
    const code = params.code!;
    const found = await grantOfToken(this.runner, this.secrets.macKey, code, 'ac');
    if (!found || found.state.status === 'empty' || !found.state.sub)
      throw new InvalidGrant(GrantErrors.codeInvalid);
    const { grantId, state, version } = found;
    const sub = state.sub!;
    const meta = this.runner.requestMeta();
    const { now } = meta;
    const subject = {
      sub,
      ...(state.sid ? { sid: state.sid } : {}),
      ...(state.authTime ? { authTime: state.authTime } : {}),
      ...(state.acr ? { acr: state.acr } : {}),
      ...(state.amr ? { amr: state.amr } : {}),
    };
    // RFC 8707: checked against the client here, against the grant by the decider. Another
    // client's grant lends it nothing, not even an error that tells its resources apart.
    const ownGrant = state.clientId === client.clientId;
    const targets = tokenTargets(
      params.resource,
      client.metadata.resources,
      ownGrant ? state.resources : undefined,
    );
    const claims = await claimsFor(this.users, sub, client);
    const at = await this.minter.accessToken({
      grantId,
      client,
      subject,
      targets,
      scope: state.scope,
      extraClaims: claims.accessToken,
      now,
      cnf: binding.cnf,
    });
    const wantsRefresh = client.metadata.grant_types.includes('refresh_token');
    const rt = wantsRefresh
      ? this.minter.refreshToken(grantId, now, refreshBindingFor(client, binding))
      : undefined;
    const openid = hasScope(state.scope, 'openid');
    const idt = openid
      ? await this.minter.idToken({
          client,
          subject,
          ...(state.nonce ? { nonce: state.nonce } : {}),
          accessToken: at.token,
          // OIDC Core 5.5: the claims the authorization request asked to see in the ID token.
          claims: claims.forIdToken(
            state.scope,
            claimsRequestForClient(state.claimsRequest, client.metadata.scope),
          ),
          now,
        })
      : undefined;
    // Decided against the grant just read; a concurrent redemption makes the
    // append conflict, and the runner re-reads and sees the code used.
    const result = await this.runner.runFrom(
      grantDecider,
      grantStream(grantId),
      {
        type: 'RedeemAuthorizationCode',
        codeHash: this.secrets.tokenHash(code),
        clientId: client.clientId,
        redirectUri: params.redirect_uri,
        ...(params.code_verifier ? { codeVerifier: params.code_verifier } : {}),
        ...(targets.named ? { resource: targets.resources[0] } : {}),
        tokens: {
          accessToken: at.spec,
          ...(rt ? { refreshToken: rt.spec } : {}),
          ...(idt ? { idToken: idt.spec } : {}),
        },
        meta,
      },
      { state, version },
    );
    const rejection = rejectionFor(result.appended);
    if (rejection) {
      // The grant was revoked by detection: no replica may answer active once we answer.
      await this.tombstones.write(result.appended);
      throw rejection;
    }
    countIssuedTokens('authorization_code', {
      accessToken: at.spec,
      refreshToken: rt !== undefined,
      idToken: idt !== undefined,
    });
    return {
      access_token: at.token,
      token_type: tokenTypeFor(at.spec.cnf),
      expires_in: at.spec.exp - now,
      ...(rt ? { refresh_token: rt.token } : {}),
      ...(idt ? { id_token: idt.token } : {}),
      scope: state.scope,
    };
  }
}
