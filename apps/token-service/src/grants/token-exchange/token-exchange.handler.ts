import { Inject, Injectable } from '@nestjs/common';
import { uuidv7, type TokenResponse } from '@idp/contracts';
import {
  assertMayAct,
  delegationChain,
  exchangeScope,
  exchangeTarget,
  grantDecider,
  grantStream,
  presentedTokenType,
  requestedTokenType,
  TOKEN_EXCHANGE_GRANT,
  TOKEN_TYPE,
  type ExchangeToken,
  type RegisteredClient,
} from '@idp/domain';
import { COMMAND_RUNNER, countIssuedTokens } from '@idp/nest-kit';
import type { CommandRunner } from '@idp/eventsourcing';
import { InvalidRequest } from '@idp/oauth-errors';
import { ResourceRegistry } from '../../resources/resource-registry.service';
import { TokenMinter } from '../../tokens/token-minter.service';
import { tokenTypeFor, type GrantHandler, type RequestBinding } from '../grant-handler';
import { ExchangeTokens } from './exchange-tokens';

/**
 * RFC 8693 token exchange: a confidential client trades a user's token it
 * holds for one aimed at another service, acting for the user (delegation,
 * with an actor_token: the result carries `act`) or as the user
 * (impersonation, only if its policy allows). The new token belongs to the
 * subject token's grant, so logout, RFC 7009 and admin revocation of that
 * grant revoke it too (ADR 0033). No refresh token: an exchanged token is
 * as short-lived as the access token it came from, and its holder exchanges
 * again when it needs another.
 */
@Injectable()
export class TokenExchangeHandler implements GrantHandler {
  readonly grantType = TOKEN_EXCHANGE_GRANT;
  readonly requiredParams = [];

  constructor(
    @Inject(COMMAND_RUNNER) private readonly runner: CommandRunner,
    private readonly minter: TokenMinter,
    private readonly exchangeTokens: ExchangeTokens,
    private readonly resources: ResourceRegistry,
  ) {}

  async handle(
    params: Readonly<Record<string, string>>,
    client: RegisteredClient,
    binding: RequestBinding,
  ): Promise<TokenResponse> {
    // RFC 8693 2.1: every type is checked before any token is looked at.
    const subjectType = presentedTokenType(params.subject_token_type, 'subject_token_type');
    if (!params.subject_token) throw new InvalidRequest('subject_token is required');
    const actorToken = params.actor_token;
    if ((actorToken === undefined) !== (params.actor_token_type === undefined))
      throw new InvalidRequest('actor_token and actor_token_type go together');
    const actorType =
      actorToken === undefined
        ? undefined
        : presentedTokenType(params.actor_token_type, 'actor_token_type');
    const wanted = requestedTokenType(params.requested_token_type);
    const target = exchangeTarget(client, { resource: params.resource, audience: params.audience });
    const meta = this.runner.requestMeta();
    const { now } = meta;

    const subject = await this.exchangeTokens.subject(
      params.subject_token,
      subjectType,
      client,
      binding.cnf,
      now,
    );
    const actor =
      actorToken === undefined || actorType === undefined
        ? undefined
        : await this.exchangeTokens.actor(actorToken, actorType, client, now);
    const subjectAct = subject.kind === 'grant' ? subject.token.act : subject.act;
    // RFC 8693 4.4 may_act: only a trusted issuer's token can carry it (a reserved claim of ours).
    assertMayAct(subject.kind === 'new' ? subject.mayAct : undefined, actor);
    const act = delegationChain(client, actor, subjectAct);
    const scope = exchangeScope(
      subject.kind === 'grant' ? subject.token.scope : subject.scope,
      params.scope,
    );

    // A registered resource server decides the format and the JWE recipient; a
    // logical audience gets the client's format (ADR 0030's rule, one target).
    const registered = (await this.resources.find(target)) !== undefined;
    const grantId = subject.kind === 'grant' ? subject.grantId : uuidv7();
    const at = await this.minter.accessToken({
      grantId,
      client,
      subject: { sub: subject.sub, ...(subject.sid === undefined ? {} : { sid: subject.sid }) },
      targets: { resources: [target], named: registered },
      scope,
      extraClaims: {},
      now,
      cnf: binding.cnf,
      act,
      readable: wanted === 'jwt',
    });
    const command: Omit<ExchangeToken, 'meta'> & { meta: typeof meta } = {
      type: 'ExchangeToken',
      grantId,
      clientId: client.clientId,
      into:
        subject.kind === 'grant'
          ? { kind: 'grant', subjectJti: subject.token.jti }
          : { kind: 'new', sub: subject.sub, sid: subject.sid },
      scope,
      accessToken: at.spec,
      meta,
    };
    // Decided against the grant as it is at append time: revoked since it was resolved is invalid_grant.
    if (subject.kind === 'grant')
      await this.runner.run(grantDecider, grantStream(grantId), command);
    else await this.runner.runNew(grantDecider, grantStream(grantId), command);
    countIssuedTokens(TOKEN_EXCHANGE_GRANT, { accessToken: at.spec });
    return {
      access_token: at.token,
      // RFC 8693 2.2.1: a JWT when asked for one (or when the target's format is one).
      issued_token_type:
        wanted === 'jwt' && at.spec.format !== 'opaque' ? TOKEN_TYPE.jwt : TOKEN_TYPE.accessToken,
      token_type: tokenTypeFor(at.spec.cnf),
      expires_in: at.spec.exp - now,
      ...(scope ? { scope } : {}),
    };
  }
}
