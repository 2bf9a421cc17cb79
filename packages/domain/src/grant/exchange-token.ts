import { InvalidGrant } from '@idp/oauth-errors';
import { DomainRuleError } from '../decider';
import type { ExchangeToken } from './grant.commands';
import { GrantErrors } from './grant.errors';
import { accessTokenIssued, type PendingGrantEvent } from './grant.events';
import type { GrantState } from './grant.state';
import { narrowScope } from './scope';

/**
 * RFC 8693: records an exchanged access token. Into the subject token's own
 * grant, decided against the grant as it is now: a grant revoked (logout,
 * RFC 7009, admin) or a subject token revoked or expired since the handler
 * resolved it is invalid_grant, so an exchange can never outlive what it
 * was exchanged from. Or as the first event of a new grant.
 */
export function exchangeToken(cmd: ExchangeToken, state: GrantState): PendingGrantEvent[] {
  const { into, meta } = cmd;
  if (into.kind === 'new') {
    if (state.status !== 'empty')
      throw new DomainRuleError('grant.exists', `grant ${cmd.grantId} already exists`);
    const owner = {
      grantId: cmd.grantId,
      clientId: cmd.clientId,
      sub: into.sub,
      ...(into.sid === undefined ? {} : { sid: into.sid }),
    };
    return [accessTokenIssued(owner, cmd.scope, cmd.accessToken, meta)];
  }
  if (state.status !== 'active') throw new InvalidGrant(GrantErrors.subjectTokenInactive);
  const subject = state.accessTokens.get(into.subjectJti);
  if (!subject || subject.revoked || subject.exp <= meta.now)
    throw new InvalidGrant(GrantErrors.subjectTokenInactive);
  // The handler narrowed already; the decider holds the bound on its own.
  if (narrowScope(subject.scope, cmd.scope) === undefined)
    throw new InvalidGrant(GrantErrors.scopeWidened);
  return [accessTokenIssued(state, cmd.scope, cmd.accessToken, meta, { issuedTo: cmd.clientId })];
}
