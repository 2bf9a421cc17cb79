import { z } from 'zod';

/**
 * Refresh-token reuse answered as theft (RFC 9700 4.14.2, ADR 0038). The
 * values are the client metadata `refresh_reuse_response`'s; a client that
 * registered one keeps it whatever this says.
 */
export const refreshReuseSettings = {
  REFRESH_REUSE_RESPONSE: {
    schema: z.enum(['revoke_grant', 'end_session']).optional(),
    description:
      "token-service: what a reused (rotated-away) refresh token causes for every client whose metadata has no `refresh_reuse_response`. `revoke_grant`: the grant is revoked. `end_session`: the grant's SSO session is ended too: every grant of the session is revoked before /token answers `invalid_grant`, every RP of it receives a back-channel logout token, and `session.ended` (reason `refresh_token_reuse`) follows. A grant without a session (an offline grant whose session is gone, a device grant approved without one) falls back to `revoke_grant`. Unset: `end_session` for public clients (`token_endpoint_auth_method` `none`), `revoke_grant` for confidential ones. Either way one `grant.reuse_detected` event records the presented token's keyed hash, the caller's IP and the response (docs/security.md, docs/adr/0038-refresh-token-reuse-response.md).",
  },
} as const;
