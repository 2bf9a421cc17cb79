import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALICE, REDIRECT_URI } from '../oidc/seed';

export const ADMIN_TOKEN = 'e2e-reuse-admin-token-0123456789abcdef-0123';
export const INITIAL_ACCESS_TOKEN = 'e2e-reuse-initial-access-token-0123456789';

/**
 * Confidential code-flow clients with a back-channel logout URI (ADR 0038):
 * rp-a answers theft by ending the session (its metadata), rp-b and rp-c
 * keep the default for confidential clients (revoke_grant; REFRESH_REUSE_RESPONSE unset).
 */
export const RP = {
  a: { id: 'rp-a', secret: 'rp-a-secret-0123456789abcdefghijk', format: 'opaque' },
  b: { id: 'rp-b', secret: 'rp-b-secret-0123456789abcdefghijk', format: 'jwt' },
  c: { id: 'rp-c', secret: 'rp-c-secret-0123456789abcdefghijk', format: 'opaque' },
} as const;
export type Rp = (typeof RP)[keyof typeof RP];

export function writeReuseSeed(backchannelUri: (clientId: string) => string): string {
  const client = (rp: Rp, extra: Record<string, unknown> = {}) => ({
    client_id: rp.id,
    client_secret: rp.secret,
    redirect_uris: [REDIRECT_URI],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: 'client_secret_basic',
    access_token_format: rp.format,
    scope: 'openid profile email offline_access',
    skip_consent: true,
    backchannel_logout_uri: backchannelUri(rp.id),
    backchannel_logout_session_required: true,
    ...extra,
  });
  const seed = {
    clients: [client(RP.a, { refresh_reuse_response: 'end_session' }), client(RP.b), client(RP.c)],
    users: [
      {
        sub: ALICE.sub,
        username: ALICE.username,
        password: ALICE.password,
        claims: { name: 'Alice Liddell', email: 'alice@example.test' },
      },
    ],
  };
  const file = join(mkdtempSync(join(tmpdir(), 'idp-reuse-')), 'seed.json');
  writeFileSync(file, JSON.stringify(seed));
  return file;
}

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
