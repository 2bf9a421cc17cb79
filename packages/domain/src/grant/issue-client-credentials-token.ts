import { DomainRuleError } from '../decider';
import type { IssueClientCredentialsToken } from './grant.commands';
import { accessTokenIssued, type PendingGrantEvent } from './grant.events';
import type { GrantState } from './grant.state';

/**
 * RFC 6749 4.4: one grant per token request, with no end-user and no refresh
 * token. It still gets a stream so RFC 7009 revocation works the same way.
 */
export function issueClientCredentialsToken(
  cmd: IssueClientCredentialsToken,
  state: GrantState,
): PendingGrantEvent[] {
  if (state.status !== 'empty')
    throw new DomainRuleError('grant.exists', `grant ${cmd.grantId} already exists`);
  const owner = { grantId: cmd.grantId, clientId: cmd.clientId };
  return [accessTokenIssued(owner, cmd.scope, cmd.accessToken, cmd.meta)];
}
