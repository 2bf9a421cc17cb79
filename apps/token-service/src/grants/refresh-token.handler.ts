import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '@idp/config';
import type { TokenResponse } from '@idp/contracts';
import {
  claimsRequestForClient,
  GrantErrors,
  grantDecider,
  grantStream,
  hasScope,
  narrowScope,
  refreshReuseResponseFor,
  rejectionFor,
  tokenTargets,
  withinRegistration,
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
  tokenTypeFor,
  type GrantHandler,
  type RequestBinding,
  type RequestOrigin,
} from './grant-handler';
import { ReuseSessionRevocation } from './reuse-session-revocation';
import { claimsFor } from './user-claims';

/**
 * RFC 6749 6 with rotation (RFC 9700 4.14.2): every refresh returns a new
 * refresh token; presenting a rotated-away one revokes the whole grant, and
 * under the client's `end_session` response every grant of its SSO session
 * (ADR 0038).
 */
@Injectable()
export class RefreshTokenHandler implements GrantHandler {
  readonly grantType = 'refresh_token';
  readonly requiredParams = ['refresh_token'];

  constructor(
    @Inject(COMMAND_RUNNER) private readonly runner: CommandRunner,
    private readonly secrets: TokenSecrets,
    private readonly minter: TokenMinter,
    private readonly users: UserDirectory,
    private readonly tombstones: IntrospectionTombstones,
    private readonly reuseSessions: ReuseSessionRevocation,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  async handle(
    params: Readonly<Record<string, string>>,
    client: RegisteredClient,
    binding: RequestBinding,
    origin: RequestOrigin = {},
  ): Promise<TokenResponse> {
    const presented = params.refresh_token!;
    const found = await grantOfToken(this.runner, this.secrets.macKey, presented, 'rt');
    if (!found || found.state.status === 'empty' || !found.state.sub)
      throw new InvalidGrant(GrantErrors.refreshInvalid);
    const { grantId, state, version } = found;
    const sub = state.sub!;
    // The decider enforces both bounds too (the client's registration now, and the request);
    // computing them here lets the tokens carry the right scope.
    const clientScope = client.metadata.scope;
    const scope =
      narrowScope(withinRegistration(state.scope, clientScope), params.scope) ?? state.scope;
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
      scope,
      extraClaims: claims.accessToken,
      now,
      // RFC 9449 5: the new access token is bound to this request's proof, whoever the client.
      cnf: binding.cnf,
    });
    // The decider keeps a bound chain's binding on the new refresh token (RFC 9449 5).
    const rt = this.minter.refreshToken(grantId, now);
    // OIDC Core 12.2: an ID token only when the scope this refresh grants includes openid.
    const idt = hasScope(scope, 'openid')
      ? await this.minter.idToken({
          client,
          subject,
          accessToken: at.token,
          // OIDC Core 5.5: the ID token keeps carrying what the authorization asked for.
          claims: claims.forIdToken(
            scope,
            claimsRequestForClient(state.claimsRequest, clientScope),
          ),
          now,
        })
      : undefined;
    // Decided against the grant just read (one read per rotation); a concurrent
    // change to the grant makes the append conflict and the runner re-reads.
    const result = await this.runner.runFrom(
      grantDecider,
      grantStream(grantId),
      {
        type: 'RefreshTokens',
        presentedHash: this.secrets.tokenHash(presented),
        clientId: client.clientId,
        ...(params.scope ? { scope: params.scope } : {}),
        ...(clientScope === undefined ? {} : { clientScope }),
        ...(targets.named ? { resource: targets.resources[0] } : {}),
        proofJkt: binding.cnf?.jkt,
        onReuse: refreshReuseResponseFor(client.metadata, this.config.REFRESH_REUSE_RESPONSE),
        callerIp: origin.clientIp,
        tokens: {
          accessToken: at.spec,
          refreshToken: rt.spec,
          ...(idt ? { idToken: idt.spec } : {}),
        },
        meta,
      },
      { state, version },
    );
    // Either the grant was revoked by reuse detection, or the presented token was rotated
    // away: no replica may answer it active once we answer.
    await this.tombstones.write(result.appended);
    // end_session: the rest of the session's grants, tombstoned too, before the answer.
    await this.reuseSessions.revokeSessionOf(result.appended);
    const rejection = rejectionFor(result.appended);
    if (rejection) throw rejection;
    countIssuedTokens('refresh_token', {
      accessToken: at.spec,
      refreshToken: true,
      idToken: idt !== undefined,
    });
    return {
      access_token: at.token,
      token_type: tokenTypeFor(at.spec.cnf),
      expires_in: at.spec.exp - now,
      refresh_token: rt.token,
      ...(idt ? { id_token: idt.token } : {}),
      scope,
    };
  }
}
