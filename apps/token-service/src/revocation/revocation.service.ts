import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '@idp/config';
import type { ClientAuthentication } from '@idp/contracts';
import { grantDecider, grantStream } from '@idp/domain';
import { COMMAND_RUNNER } from '@idp/nest-kit';
import type { CommandRunner } from '@idp/eventsourcing';
import { UnsupportedTokenType } from '@idp/oauth-errors';
import { ClientAuthenticator } from '../clients/client-authenticator';
import { IntrospectionTombstones } from '../read-model/introspection-tombstones';
import { grantTombstones } from './revoked-grant-tombstones';
import {
  ALL_TOKEN_KINDS,
  TokenResolver,
  type PresentedTokenKind,
  type ResolvedToken,
} from '../tokens/token-resolver';

export interface RevocationRequest {
  readonly token: string;
  readonly tokenTypeHint?: string | undefined;
  readonly clientAuth: ClientAuthentication;
  readonly endpoint: string;
}

/**
 * RFC 7009 2.1: the hint only decides which kind is looked up first; the
 * others are tried after it ("MAY ... extend its search"), and an unknown
 * hint is ignored rather than refused: our tokens say what they are.
 */
function lookupOrder(hint: string | undefined): readonly PresentedTokenKind[] {
  return hint === 'refresh_token' ? ['refresh_token', 'access_token'] : ALL_TOKEN_KINDS;
}

/**
 * RFC 7009 token revocation.
 *
 * - Client authentication follows the /token rules, public clients
 *   included: RFC 7009 2.1 validates credentials only "in case of a
 *   confidential client", so a client registered with `none` identifies
 *   itself by client_id and may revoke its own tokens (a confidential client
 *   cannot fall back to `none`: the method must be the registered one).
 * - A refresh token takes its whole grant (2.1 "SHOULD also invalidate all
 *   access tokens based on the same authorization grant"); an access token
 *   only itself.
 * - Invalid, unknown, expired or already revoked tokens succeed (2.2).
 * - Our ID tokens and logout tokens are not revocable: `unsupported_token_type`
 *   (2.2.1) rather than a success that revoked nothing; their grant is not
 *   touched.
 * - Another client's token is refused with `unauthorized_client` (2.1:
 *   "verifies whether the token was issued to the client making the
 *   revocation request. If this validation fails, the request is refused
 *   and the client is informed of the error"; 2.2.1 uses RFC 6749 5.2's
 *   codes). The decider raises it and the token stays valid.
 * - Before returning, the tombstones are written to the read model
 *   (ADR 0008). They are derived from the committed event, or, when a retry
 *   finds the revocation already committed, rebuilt from the grant, so a
 *   retry after a 503 still propagates it.
 */
@Injectable()
export class RevocationService {
  constructor(
    @Inject(COMMAND_RUNNER) private readonly runner: CommandRunner,
    @Inject(CONFIG) private readonly config: Config,
    private readonly authenticator: ClientAuthenticator,
    private readonly tokens: TokenResolver,
    private readonly tombstones: IntrospectionTombstones,
  ) {}

  async revoke(request: RevocationRequest): Promise<Record<string, never>> {
    const client = await this.authenticator.authenticate(
      request.clientAuth,
      request.endpoint,
      this.config.ISSUER,
    );
    const found = await this.tokens.resolve(request.token, lookupOrder(request.tokenTypeHint));
    switch (found?.role?.role) {
      case 'refresh_token':
        await this.revokeGrant(found!, client.clientId);
        break;
      case 'access_token':
        await this.revokeAccessToken(found!, found.role.token.jti, client.clientId);
        break;
      default: {
        const kind = found ? undefined : await this.tokens.signedNonAccessKind(request.token);
        if (kind)
          throw new UnsupportedTokenType(
            `${kind === 'id_token' ? 'an ID token' : 'a logout token'} cannot be revoked: revoke the access or refresh token`,
          );
        // Unknown, a code, a rotated-away refresh token: nothing to revoke (2.2).
        break;
      }
    }
    return {};
  }

  private async revokeGrant(found: ResolvedToken, clientId: string): Promise<void> {
    const result = await this.runner.run(grantDecider, grantStream(found.grantId), {
      type: 'RevokeGrant',
      reason: 'client_request',
      requestedBy: clientId,
      meta: this.runner.requestMeta(),
    });
    const { state } = result;
    if (result.appended.length > 0) await this.tombstones.write(result.appended);
    else if (state.status === 'revoked') await this.tombstones.write([grantTombstones(state)]);
  }

  private async revokeAccessToken(
    found: ResolvedToken,
    jti: string,
    clientId: string,
  ): Promise<void> {
    const result = await this.runner.run(grantDecider, grantStream(found.grantId), {
      type: 'RevokeAccessToken',
      jti,
      reason: 'client_request',
      requestedBy: clientId,
      meta: this.runner.requestMeta(),
    });
    if (result.appended.length > 0) return this.tombstones.write(result.appended);
    const { state } = result;
    if (state.status === 'empty') return;
    if (state.status === 'revoked') return this.tombstones.write([grantTombstones(state)]);
    const token = state.accessTokens.get(jti);
    if (token?.revoked) {
      await this.tombstones.write([
        {
          type: 'grant.access_token_revoked',
          data: {
            grantId: state.grantId,
            jti,
            ...(token.tokenHash === undefined ? {} : { tokenHash: token.tokenHash }),
            clientId: state.clientId,
            exp: token.exp,
            reason: 'client_request',
          },
        },
      ]);
    }
  }
}
