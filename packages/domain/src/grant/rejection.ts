import { InvalidGrant, type OAuthError } from '@idp/oauth-errors';
import { GrantErrors } from './grant.errors';

/**
 * The "append, then reject" convention. `decide` answers a replayed code, a
 * failed redemption of a code, or a reused refresh token with `grant.revoked
 * { reason: 'code_replay' | 'code_misuse' | 'refresh_token_reuse' }` instead
 * of throwing, because the revocation must be stored. The handler appends whatever `decide` returned and then asks
 * this function whether the request still fails:
 *
 * ```ts
 * const events = grantDecider.decide(cmd, state);
 * await store.append(grantStream(id), version, events);
 * const rejection = rejectionFor(events);
 * if (rejection) throw rejection;
 * ```
 *
 * Those reasons can only come from detection (RevokeGrant cannot ask for
 * them), so their presence is an unambiguous signal.
 */
export function rejectionFor(
  events: readonly { readonly type: string; readonly data: unknown }[],
): OAuthError | undefined {
  for (const e of events) {
    if (e.type !== 'grant.revoked') continue;
    const reason = (e.data as { reason?: unknown }).reason;
    if (reason === 'code_replay') return new InvalidGrant(GrantErrors.codeReplayed);
    if (reason === 'code_misuse') {
      const detail = (e.data as { detail?: unknown }).detail;
      return new InvalidGrant(typeof detail === 'string' ? detail : GrantErrors.codeInvalid);
    }
    if (reason === 'refresh_token_reuse') return new InvalidGrant(GrantErrors.refreshReused);
  }
  return undefined;
}
