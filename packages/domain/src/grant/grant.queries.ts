import { assertNever } from '../decider';
import type {
  ActiveGrant,
  CurrentRefreshToken,
  GrantState,
  IssuedAccessToken,
} from './grant.state';

/** Usable right now: not revoked, and something issued under it has not expired. */
export function grantIsActive(state: GrantState, now: number): state is ActiveGrant {
  return state.status === 'active' && state.until > now;
}

/** What a presented token is to this grant (introspection, revocation, userinfo). */
export type TokenRole =
  | { readonly role: 'authorization_code'; readonly exp: number; readonly redeemed: boolean }
  | { readonly role: 'access_token'; readonly token: IssuedAccessToken }
  | { readonly role: 'refresh_token'; readonly token: CurrentRefreshToken }
  | { readonly role: 'rotated_refresh_token' };

export type TokenRef = { readonly tokenHash: string } | { readonly jti: string };

export function findTokenRole(state: GrantState, ref: TokenRef): TokenRole | undefined {
  if (state.status === 'empty') return undefined;
  if ('jti' in ref) {
    const token = state.accessTokens.get(ref.jti);
    return token && { role: 'access_token', token };
  }
  const hash = ref.tokenHash;
  for (const token of state.accessTokens.values())
    if (token.tokenHash === hash) return { role: 'access_token', token };
  if (state.refreshToken?.hash === hash)
    return { role: 'refresh_token', token: state.refreshToken };
  if (state.rotatedRefreshHashes.has(hash)) return { role: 'rotated_refresh_token' };
  if (state.code?.hash === hash)
    return { role: 'authorization_code', exp: state.code.exp, redeemed: state.code.redeemed };
  return undefined;
}

/**
 * RFC 7662 `active`: only access and current refresh tokens of a live grant,
 * before their expiry. Codes and rotated refresh tokens never introspect active.
 */
export function tokenIsActive(
  state: GrantState,
  role: TokenRole | undefined,
  now: number,
): boolean {
  if (state.status !== 'active' || role === undefined) return false;
  switch (role.role) {
    case 'access_token':
      return !role.token.revoked && role.token.exp > now;
    case 'refresh_token':
      return role.token.exp > now;
    case 'authorization_code':
    case 'rotated_refresh_token':
      return false;
    default:
      return assertNever(role);
  }
}
