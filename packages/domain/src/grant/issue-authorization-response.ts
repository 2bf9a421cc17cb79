import { AuthorizationCodeIssued } from '@idp/contracts';
import { InvalidRequest, InvalidTarget } from '@idp/oauth-errors';
import { MAX_RESOURCES, resourceIndicatorProblem } from '../client/uri.rules';
import { DomainRuleError, eventMeta } from '../decider';
import type { AuthorizationCodeSpec, IssueAuthorizationResponse } from './grant.commands';
import { accessTokenIssued, idTokenIssued, type PendingGrantEvent } from './grant.events';
import type { GrantState } from './grant.state';
import { isValidCodeChallenge } from './pkce';
import { hasScope } from './scope';

/**
 * /authorize validated the request and the user consented; this records what
 * the response carries under a fresh grant id. Events come in the order the
 * grant is built: the code first (it holds the authorization's facts), then
 * the front-channel access token, then the ID token.
 */
export function issueAuthorizationResponse(
  cmd: IssueAuthorizationResponse,
  state: GrantState,
): PendingGrantEvent[] {
  if (state.status !== 'empty')
    throw new DomainRuleError('grant.exists', `grant ${cmd.grantId} already exists`);
  const { code, accessToken, idToken, meta } = cmd;
  if (!code && !accessToken && !idToken)
    throw new DomainRuleError('grant.empty_response', 'an authorization response issues something');
  // OIDC Core 3.1.2.1: an OpenID request always names its redirect_uri.
  if (!cmd.redirectUriSupplied && hasScope(cmd.scope, 'openid'))
    throw new InvalidRequest('redirect_uri is required in an OpenID Connect request');
  // OIDC Core 3.2.2.1 / 3.3.2.11: a token through the browser can be injected
  // into another session; the nonce in the ID token is the RP's defence.
  if ((accessToken || idToken) && cmd.nonce === undefined)
    throw new InvalidRequest('nonce is required for the implicit and hybrid flows');
  checkResources(cmd.resources ?? []);
  const owner = {
    grantId: cmd.grantId,
    clientId: cmd.clientId,
    sub: cmd.sub,
    ...(cmd.sid === undefined ? {} : { sid: cmd.sid }),
    scope: cmd.scope,
  };
  return [
    ...(code ? [codeIssued(cmd, code)] : []),
    // Without a code, the grant is born with its access token, which then holds the claims request.
    ...(accessToken
      ? [
          accessTokenIssued(
            owner,
            cmd.scope,
            accessToken,
            meta,
            code ? {} : { claimsRequest: cmd.claimsRequest },
          ),
        ]
      : []),
    ...(idToken ? [idTokenIssued(owner, idToken, meta)] : []),
  ];
}

function codeIssued(cmd: IssueAuthorizationResponse, code: AuthorizationCodeSpec) {
  if (code.exp <= cmd.meta.now)
    throw new DomainRuleError('grant.code_born_expired', 'code expiry must be in the future');
  if (code.codeChallengeMethod !== undefined && code.codeChallenge === undefined)
    throw new InvalidRequest('code_challenge_method requires code_challenge');
  const method = code.codeChallengeMethod ?? 'plain';
  if (code.codeChallenge !== undefined && !isValidCodeChallenge(code.codeChallenge, method))
    throw new InvalidRequest(`code_challenge is not a valid ${method} challenge (RFC 7636 4.2)`);
  const {
    type: _type,
    meta,
    amr,
    resources,
    code: _code,
    accessToken: _at,
    idToken: _id,
    ...facts
  } = cmd;
  return AuthorizationCodeIssued.create(
    {
      ...facts,
      ...(resources?.length ? { resources: [...resources] } : {}),
      ...(amr === undefined ? {} : { amr: [...amr] }),
      codeHash: code.codeHash,
      exp: code.exp,
      ...(code.codeChallenge === undefined ? {} : { codeChallenge: code.codeChallenge }),
      ...(code.codeChallengeMethod === undefined
        ? {}
        : { codeChallengeMethod: code.codeChallengeMethod }),
    },
    eventMeta(meta),
  );
}

/** auth-api checked them against the client; the grant records only well-formed, bounded ones. */
function checkResources(resources: readonly string[]): void {
  if (resources.length > MAX_RESOURCES || new Set(resources).size !== resources.length)
    throw new InvalidRequest(`at most ${MAX_RESOURCES} distinct resources may be requested`);
  for (const r of resources) {
    const problem = resourceIndicatorProblem(r);
    if (problem) throw new InvalidTarget(`resource ${problem}`);
  }
}
