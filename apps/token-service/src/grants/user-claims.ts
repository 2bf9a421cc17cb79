import type { ClaimsRequest } from '@idp/contracts';
import {
  accessTokenClaims,
  GrantErrors,
  idTokenUserClaims,
  type RegisteredClient,
} from '@idp/domain';
import { InvalidGrant } from '@idp/oauth-errors';
import type { UserDirectory } from '../users/user-directory.service';

/**
 * The claims a token may carry for this user and client, resolved at
 * issuance. A deleted account gets no more tokens: deleting it revoked its
 * grants (ADR 0009), and a code or refresh token racing the deletion must
 * not mint tokens for a subject that is gone, so that is invalid_grant.
 */
export async function claimsFor(users: UserDirectory, sub: string, client: RegisteredClient) {
  const user = await users.findBySub(sub);
  if (user === undefined) throw new InvalidGrant(GrantErrors.subjectGone);
  const all = user.claims;
  return {
    accessToken: accessTokenClaims(all, client.metadata.access_token_claims),
    /**
     * The ID token's user claims: what the `claims` request's `id_token`
     * member names (OIDC Core 5.5), and with `scopesToo` the scopes' claims.
     */
    forIdToken: (scope: string, request: ClaimsRequest | undefined, scopesToo = false) =>
      idTokenUserClaims(all, scope, request, scopesToo),
  };
}
