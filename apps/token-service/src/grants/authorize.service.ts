import { Inject, Injectable } from '@nestjs/common';
import { uuidv7, type ClaimsRequest } from '@idp/contracts';
import {
  allowsResponseType,
  authorizationResources,
  checkEssentialAcr,
  claimsRequestForClient,
  grantDecider,
  grantStream,
  redirectUriRegistered,
  type RegisteredClient,
} from '@idp/domain';
import { COMMAND_RUNNER, countIssuedTokens } from '@idp/nest-kit';
import type { CommandRunner } from '@idp/eventsourcing';
import {
  InvalidRequest,
  InvalidTarget,
  LoginRequired,
  UnauthorizedClient,
  UnsupportedResponseType,
} from '@idp/oauth-errors';
import { ClientRegistry } from '../clients/client-registry.service';
import { ResourceRegistry } from '../resources/resource-registry.service';
import { TokenMinter } from '../tokens/token-minter.service';
import { UserDirectory } from '../users/user-directory.service';
import { claimsFor } from './user-claims';

export interface AuthorizeInput {
  readonly clientId: string;
  readonly sub: string;
  readonly sid: string;
  readonly authTime: number;
  readonly amr: readonly string[];
  readonly acr?: string | undefined;
  readonly scope: readonly string[];
  readonly redirectUri: string;
  /** Whether the request carried redirect_uri; the code remembers it (RFC 6749 4.1.3). */
  readonly redirectUriSupplied: boolean;
  readonly responseType: string;
  readonly nonce?: string | undefined;
  readonly codeChallenge?: string | undefined;
  readonly codeChallengeMethod?: 'S256' | 'plain' | undefined;
  /** RFC 8707 resource indicators the request named; none when absent. */
  readonly resources?: readonly string[] | undefined;
  /** The OIDC `claims` request parameter (Core 5.5), as auth-api parsed it. */
  readonly claimsRequest?: ClaimsRequest | undefined;
}

/** The authorization response's parameters (RFC 6749 4.1.2, 4.2.2; OIDC Core 3.2.2.5, 3.3.2.5). */
export interface AuthorizeResult {
  code?: string;
  access_token?: string;
  token_type?: 'Bearer';
  expires_in?: number;
  id_token?: string;
  scope?: string;
}

interface ResponseParts {
  readonly code: boolean;
  readonly idToken: boolean;
  readonly token: boolean;
}

/**
 * The six response types we serve (OIDC Core 3), in any order. Plain `token`
 * (RFC 9700 2.1.2: no access token through the browser alone) and `none` are not.
 */
function partsOf(responseType: string): ResponseParts | undefined {
  const values = responseType.split(' ');
  const known = ['code', 'id_token', 'token'];
  if (new Set(values).size !== values.length || !values.every((v) => known.includes(v)))
    return undefined;
  const parts = {
    code: values.includes('code'),
    idToken: values.includes('id_token'),
    token: values.includes('token'),
  };
  return parts.code || parts.idToken ? parts : undefined;
}

/**
 * Issues what an authorization response carries, once auth-api has
 * validated the request and the user has logged in and consented. The
 * client, redirect_uri and response type are checked again here:
 * token-service trusts no caller with the decision of what may go where.
 * Tokens are minted first and returned only once the grant's events commit.
 */
@Injectable()
export class AuthorizeService {
  constructor(
    @Inject(COMMAND_RUNNER) private readonly runner: CommandRunner,
    private readonly clients: ClientRegistry,
    private readonly minter: TokenMinter,
    private readonly users: UserDirectory,
    private readonly registry: ResourceRegistry,
  ) {}

  async authorize(input: AuthorizeInput): Promise<AuthorizeResult> {
    const client = await this.clients.find(input.clientId);
    if (!client || !redirectUriRegistered(client, input.redirectUri))
      throw new InvalidRequest('unknown client or redirect_uri');
    const parts = this.checkResponseType(client, input.responseType);
    const resources = await this.checkResources(client, input.resources ?? []);
    // A browser session can outlive its account (deleted by an operator): it
    // must sign in again, and there is no one to sign in as (OIDC Core 3.1.2.6).
    if ((await this.users.findBySub(input.sub)) === undefined)
      throw new LoginRequired('the signed-in account no longer exists');
    // Checked again against the client as registered now (auth-api read it earlier).
    const claimsRequest = claimsRequestForClient(input.claimsRequest, client.metadata.scope);
    // OIDC Core 5.5.1.1: an Essential acr the session did not achieve is a failed authentication.
    checkEssentialAcr(claimsRequest, input.acr);
    const meta = this.runner.requestMeta();
    const { now } = meta;
    const grantId = uuidv7();
    const scope = input.scope.join(' ');
    const subject = {
      sub: input.sub,
      sid: input.sid,
      authTime: input.authTime,
      ...(input.acr ? { acr: input.acr } : {}),
      amr: input.amr,
    };
    const code = parts.code ? this.minter.authorizationCode(grantId, now) : undefined;
    const claims =
      parts.token || parts.idToken ? await claimsFor(this.users, input.sub, client) : undefined;
    const at =
      parts.token && claims
        ? await this.minter.accessToken({
            grantId,
            client,
            subject,
            scope,
            extraClaims: claims.accessToken,
            now,
            // The front-channel token targets what the request named, as /token does without
            // `resource` for a grant that recorded resources.
            ...(resources.length ? { targets: { resources, named: false } } : {}),
          })
        : undefined;
    const idt =
      parts.idToken && claims
        ? await this.minter.idToken({
            client,
            subject,
            ...(input.nonce ? { nonce: input.nonce } : {}),
            // at_hash and c_hash bind the ID token to what travels with it (OIDC Core 3.3.2.11).
            ...(at ? { accessToken: at.token } : {}),
            ...(code ? { code: code.code } : {}),
            // OIDC Core 5.4: with no access token ever issued (response_type=id_token),
            // the scopes' claims go in the ID token, as there is no /userinfo call to make.
            claims: claims.forIdToken(scope, claimsRequest, !(parts.token || parts.code)),
            now,
          })
        : undefined;
    await this.runner.runNew(grantDecider, grantStream(grantId), {
      type: 'IssueAuthorizationResponse',
      grantId,
      clientId: client.clientId,
      sub: input.sub,
      sid: input.sid,
      scope,
      redirectUri: input.redirectUri,
      redirectUriSupplied: input.redirectUriSupplied,
      ...(input.nonce ? { nonce: input.nonce } : {}),
      authTime: input.authTime,
      ...(input.acr ? { acr: input.acr } : {}),
      amr: input.amr,
      ...(resources.length ? { resources } : {}),
      ...(claimsRequest ? { claimsRequest } : {}),
      ...(code ? { code: { codeHash: code.codeHash, exp: code.exp, ...pkce(input) } } : {}),
      ...(at ? { accessToken: at.spec } : {}),
      ...(idt ? { idToken: idt.spec } : {}),
      meta,
    });
    if (at || idt)
      countIssuedTokens('implicit', {
        ...(at ? { accessToken: at.spec } : {}),
        idToken: idt !== undefined,
      });
    return {
      ...(code ? { code: code.code } : {}),
      ...(at
        ? {
            access_token: at.token,
            token_type: 'Bearer' as const,
            expires_in: at.spec.exp - now,
            // RFC 6749 4.2.2: required when it differs from the request. auth-api
            // may have dropped requested values, which only it knows: always say it.
            scope,
          }
        : {}),
      ...(idt ? { id_token: idt.token } : {}),
    };
  }

  /**
   * RFC 8707 2.1, checked again (auth-api did, from the client it read): each
   * resource registered for the client, and a resource server we know, since
   * its registration decides the format and recipient of the grant's tokens
   * (ADR 0030). An unknown one is invalid_target, sent to the redirect_uri.
   */
  private async checkResources(
    client: RegisteredClient,
    requested: readonly string[],
  ): Promise<string[]> {
    const resources = authorizationResources(requested.join(' '), client.metadata.resources);
    for (const resource of resources)
      if ((await this.registry.find(resource)) === undefined)
        throw new InvalidTarget('a requested resource is not a registered resource server');
    return resources;
  }

  /** RFC 6749 4.1.2.1 / OIDC Dynamic Client Registration 2 (response types ↔ grant types). */
  private checkResponseType(client: RegisteredClient, responseType: string): ResponseParts {
    const parts = partsOf(responseType);
    if (!parts) throw new UnsupportedResponseType(`response_type ${responseType} is not supported`);
    if (!allowsResponseType(client, responseType))
      throw new UnauthorizedClient(`the client may not use response_type ${responseType}`);
    // Anything returned in the front channel (id_token, token) is the implicit grant type.
    if ((parts.idToken || parts.token) && !client.metadata.grant_types.includes('implicit'))
      throw new UnauthorizedClient('the client may not use the implicit grant type');
    if (parts.code && !client.metadata.grant_types.includes('authorization_code'))
      throw new UnauthorizedClient('the client may not use the authorization_code grant type');
    return parts;
  }
}

function pkce(input: AuthorizeInput) {
  return input.codeChallenge
    ? {
        codeChallenge: input.codeChallenge,
        codeChallengeMethod: input.codeChallengeMethod ?? ('plain' as const),
      }
    : {};
}
