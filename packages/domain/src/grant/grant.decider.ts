import type { GrantEvent } from '@idp/contracts';
import { assertNever, type Decider } from '../decider';
import type { GrantCommand } from './grant.commands';
import type { PendingGrantEvent } from './grant.events';
import { issueAuthorizationResponse } from './issue-authorization-response';
import { exchangeToken } from './exchange-token';
import { issueClientCredentialsToken } from './issue-client-credentials-token';
import { issueDeviceGrant } from './issue-device-grant';
import { redeemAuthorizationCode } from './redeem-authorization-code';
import { refreshTokens } from './refresh-tokens';
import { revokeAccessToken, revokeGrant } from './revoke';
import { evolveGrant, initialGrantState, type GrantState } from './grant.state';

/**
 * The grant aggregate (stream `grant-<grantId>`). Protocol violations throw
 * the OAuthError the token endpoint returns; code replay and refresh-token
 * reuse return a revocation event instead (see rejectionFor); internal misuse
 * (a reused grant id) throws DomainRuleError, which the edge shows as server_error.
 */
export function decideGrant(command: GrantCommand, state: GrantState): PendingGrantEvent[] {
  switch (command.type) {
    case 'IssueAuthorizationResponse':
      return issueAuthorizationResponse(command, state);
    case 'RedeemAuthorizationCode':
      return redeemAuthorizationCode(command, state);
    case 'RefreshTokens':
      return refreshTokens(command, state);
    case 'IssueClientCredentialsToken':
      return issueClientCredentialsToken(command, state);
    case 'ExchangeToken':
      return exchangeToken(command, state);
    case 'IssueDeviceGrant':
      return issueDeviceGrant(command, state);
    case 'RevokeGrant':
      return revokeGrant(command, state);
    case 'RevokeAccessToken':
      return revokeAccessToken(command, state);
    default:
      return assertNever(command);
  }
}

export const grantDecider: Decider<GrantState, GrantCommand, GrantEvent> = {
  decide: decideGrant,
  evolve: evolveGrant,
  initialState: initialGrantState,
};
