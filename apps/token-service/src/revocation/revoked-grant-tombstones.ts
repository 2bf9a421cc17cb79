import type { Grant, GrantEventBody } from '@idp/domain';

/**
 * The tombstones of an already revoked grant, as its revocation event would
 * carry them, for a retry that finds nothing left to append: every access
 * token and the current refresh token (expired ones are skipped on write).
 */
export function grantTombstones(grant: Grant & { status: 'revoked' }): GrantEventBody {
  return {
    type: 'grant.revoked',
    data: {
      grantId: grant.grantId,
      clientId: grant.clientId,
      reason: grant.revokedReason,
      until: grant.until,
      accessTokens: [...grant.accessTokens.values()].map((t) => ({
        jti: t.jti,
        ...(t.tokenHash === undefined ? {} : { tokenHash: t.tokenHash }),
        exp: t.exp,
      })),
      ...(grant.refreshToken ? { refreshTokenHash: grant.refreshToken.hash } : {}),
    },
  };
}
