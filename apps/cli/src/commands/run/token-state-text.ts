import type { Actor, TokenHistory, TokenInactiveReason, TokenStateAt } from '@idp/contracts';

const byWhom = (actor: Actor | undefined) =>
  actor === undefined
    ? ''
    : actor.kind === 'admin_token'
      ? ' by the admin token'
      : ` by admin client ${actor.client_id}`;

/** The event behind a reason, for finding it in the list above and in traces. */
const ids = (r: { eventId: string; correlationId: string }) =>
  ` [event ${r.eventId}, correlation ${r.correlationId}]`;

/** One reason in words an operator reads at a glance. */
export function describeReason(r: TokenInactiveReason): string {
  switch (r.kind) {
    case 'not_recorded':
      return 'no event of its grant records it';
    case 'not_yet_issued':
      return `not yet issued (issued at ${r.issuedAt})`;
    case 'expired':
      return `expired at ${r.at}`;
    case 'revoked':
      return `revoked at ${r.at}${byWhom(r.actor)} (${r.reason})${ids(r)}`;
    case 'rotated':
      return `rotated at ${r.at}: replaced by a newer refresh token${ids(r)}`;
    case 'client_deleted':
      return `its client ${r.clientId} was deleted at ${r.at}${byWhom(r.actor)}${ids(r)}`;
    case 'user_deleted':
      return `its user ${r.sub} was deleted at ${r.at}${byWhom(r.actor)}${ids(r)}`;
    case 'grant_revoked': {
      const session = r.session
        ? `: session ${r.session.sid} ended at ${r.session.at} (${r.session.reason}${
            r.session.initiatedBy ? `, logout by client ${r.session.initiatedBy}` : ''
          }${byWhom(r.session.actor)})`
        : '';
      const reuse = r.reuse
        ? `: reuse detected at ${r.reuse.at}${r.reuse.ip ? ` from ${r.reuse.ip}` : ''}`
        : '';
      const detail = r.detail ? ` (${r.detail})` : '';
      return `its grant was revoked at ${r.at}${byWhom(r.actor)}, ${r.why}${detail}${session}${reuse}${ids(r)}`;
    }
  }
}

export function describeTokenState(state: TokenStateAt): string {
  const what = state.token ? `${state.token.kind.replace('_', ' ')}` : 'token';
  if (state.active)
    return `at ${state.at}: the ${what} was active (expires at ${state.token?.expiresAt ?? '?'})`;
  return `at ${state.at}: the ${what} was not active: ${state.reason ? describeReason(state.reason) : 'unknown'}`;
}

export function describeGrantEnd(history: TokenHistory, at: string): string {
  const { endedBy } = history.grant;
  return endedBy
    ? `at ${at}: the grant had ended: ${describeReason(endedBy)}`
    : `at ${at}: the grant had not been revoked, nor its client or user deleted`;
}
