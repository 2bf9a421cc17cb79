import { accessTokenClaims, claimsForScopes, type RegisteredClient } from '@idp/domain';
import type { UserDirectory } from '../users/user-directory.service';

/** The claims a token may carry for this user and client, resolved at issuance. */
export async function claimsFor(users: UserDirectory, sub: string, client: RegisteredClient) {
  const user = await users.findBySub(sub);
  const all = user?.claims ?? {};
  return {
    accessToken: accessTokenClaims(all, client.metadata.access_token_claims),
    forScopes: (scope: string) => claimsForScopes(all, scope),
  };
}
