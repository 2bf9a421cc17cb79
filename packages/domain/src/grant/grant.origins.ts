// The three ways a grant stream starts: a code (code and hybrid flows), an
// access token (client_credentials, implicit `id_token token`) or an ID token
// alone (implicit `id_token`). Split from grant.state.ts to keep it readable.
import type { GrantEvent } from '@idp/contracts';
import type { ActiveGrant, CodeIssuedGrant, GrantFacts } from './grant.types';

type Data<T extends GrantEvent['type']> = Extract<GrantEvent, { type: T }>['data'];

const nothingIssuedYet = (): Pick<
  GrantFacts,
  'rotatedRefreshHashes' | 'accessTokens' | 'offline'
> => ({ rotatedRefreshHashes: new Set(), accessTokens: new Map(), offline: false });

export function fromCode(d: Data<'grant.authorization_code_issued'>): CodeIssuedGrant {
  return {
    status: 'code_issued',
    grantId: d.grantId,
    clientId: d.clientId,
    sub: d.sub,
    ...(d.sid === undefined ? {} : { sid: d.sid }),
    scope: d.scope,
    authTime: d.authTime,
    ...(d.nonce === undefined ? {} : { nonce: d.nonce }),
    ...(d.acr === undefined ? {} : { acr: d.acr }),
    ...(d.amr === undefined ? {} : { amr: d.amr }),
    ...(d.claimsRequest === undefined ? {} : { claimsRequest: d.claimsRequest }),
    ...(d.resources === undefined ? {} : { resources: d.resources }),
    redirectUri: d.redirectUri,
    redirectUriSupplied: d.redirectUriSupplied,
    ...(d.codeChallenge === undefined ? {} : { codeChallenge: d.codeChallenge }),
    // RFC 7636 4.3: a challenge sent without a method is `plain`.
    ...(d.codeChallenge === undefined
      ? {}
      : { codeChallengeMethod: d.codeChallengeMethod ?? 'plain' }),
    code: { hash: d.codeHash, exp: d.exp, redeemed: false },
    ...nothingIssuedYet(),
    until: d.exp,
  };
}

/**
 * client_credentials (no subject) and the implicit flow `id_token token`:
 * the grant is born with its access token.
 */
export function fromAccessToken(d: Data<'grant.access_token_issued'>): ActiveGrant {
  return {
    status: 'active',
    grantId: d.grantId,
    clientId: d.clientId,
    ...(d.sub === undefined ? {} : { sub: d.sub }),
    ...(d.sid === undefined ? {} : { sid: d.sid }),
    scope: d.scope,
    ...(d.claimsRequest === undefined ? {} : { claimsRequest: d.claimsRequest }),
    ...nothingIssuedYet(),
    until: 0,
  };
}

/**
 * response_type=id_token (OIDC Core 3.2): an ID token alone. Nothing under it
 * can be revoked or redeemed; the grant exists so its stream is not an orphan.
 */
export function fromIdToken(d: Data<'grant.id_token_issued'>): ActiveGrant {
  return {
    status: 'active',
    grantId: d.grantId,
    clientId: d.clientId,
    sub: d.sub,
    ...(d.sid === undefined ? {} : { sid: d.sid }),
    scope: d.scope ?? 'openid',
    ...nothingIssuedYet(),
    until: d.exp,
  };
}
