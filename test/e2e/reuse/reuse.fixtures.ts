import type { Rp } from '../logout/logout.fixtures';

export const INITIAL_ACCESS_TOKEN = 'e2e-reuse-initial-access-token-0123456789';

/**
 * The logout seed's clients (confidential, each with a back-channel logout
 * URI), with rp-a answering refresh-token reuse by ending the session
 * (ADR 0038); rp-b and rp-c keep the confidential default, revoke_grant
 * (REFRESH_REUSE_RESPONSE unset).
 */
export const REUSE_METADATA = { 'rp-a': { refresh_reuse_response: 'end_session' } };

const basic = (rp: Rp) => `Basic ${Buffer.from(`${rp.id}:${rp.secret}`).toString('base64')}`;

/** POST /token refresh_token as `rp` (raw, so the test sees the exact answer). */
export async function refreshAs(
  base: string,
  rp: Rp,
  refreshToken: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}/token`, {
    method: 'POST',
    headers: {
      authorization: basic(rp),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
