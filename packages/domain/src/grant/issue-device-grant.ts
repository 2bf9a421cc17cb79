import { DomainRuleError } from '../decider';
import type { IssueDeviceGrant } from './grant.commands';
import {
  accessTokenIssued,
  idTokenIssued,
  refreshTokenIssued,
  type PendingGrantEvent,
} from './grant.events';
import type { GrantState } from './grant.state';

/**
 * RFC 8628 3.5: a redeemed device code's tokens, recorded as the code flow
 * records its own (access, refresh, ID token events), so introspection,
 * session joins, revocation and logout need nothing new.
 */
export function issueDeviceGrant(cmd: IssueDeviceGrant, state: GrantState): PendingGrantEvent[] {
  if (state.status !== 'empty')
    throw new DomainRuleError('grant.exists', `grant ${cmd.grantId} already exists`);
  const owner = {
    grantId: cmd.grantId,
    clientId: cmd.clientId,
    sub: cmd.sub,
    ...(cmd.sid === undefined ? {} : { sid: cmd.sid }),
    scope: cmd.scope,
  };
  return [
    accessTokenIssued(owner, cmd.scope, cmd.accessToken, cmd.meta),
    ...(cmd.refreshToken ? [refreshTokenIssued(owner, cmd.scope, cmd.refreshToken, cmd.meta)] : []),
    ...(cmd.idToken ? [idTokenIssued(owner, cmd.idToken, cmd.meta)] : []),
  ];
}
