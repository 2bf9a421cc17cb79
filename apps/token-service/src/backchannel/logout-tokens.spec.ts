import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { BACKCHANNEL_LOGOUT_EVENT } from '@idp/crypto';
import { ClientAdmin } from '../admin/client-admin.service';
import { startAdminHarness, webMetadata, type AdminHarness } from '../admin/admin.fixtures';
import { KeyRingService } from '../keys/key-ring.service';
import { LogoutTokens } from './logout-tokens.service';

/** token-service's half of back-channel logout over a real (SQLite) event store. */
describe('LogoutTokens', () => {
  let h: AdminHarness;
  let tokens: LogoutTokens;

  beforeAll(async () => {
    h = await startAdminHarness();
    tokens = h.app.get(LogoutTokens);
    const admin = h.app.get(ClientAdmin);
    await admin.register(
      webMetadata({
        client_id: 'rp-bcl',
        backchannel_logout_uri: 'https://rp.example/bcl',
        backchannel_logout_session_required: true,
        id_token_signed_response_alg: 'ES256',
      }),
    );
    await admin.register(webMetadata({ client_id: 'rp-plain' }));
    await admin.register(
      webMetadata({ client_id: 'rp-gone', backchannel_logout_uri: 'https://gone.example/bcl' }),
    );
    await admin.delete('rp-gone');
  });
  afterAll(() => h.close());

  it('targets only live clients with a back-channel logout URI, once each', async () => {
    expect(await tokens.targets(['rp-bcl', 'rp-plain', 'rp-gone', 'nobody', 'rp-bcl'])).toEqual([
      { clientId: 'rp-bcl', uri: 'https://rp.example/bcl', sessionRequired: true, alg: 'ES256' },
    ]);
  });

  it('signs logout tokens our JWKS verifies: typ logout+jwt, the given jti, events, sid and sub, no nonce', async () => {
    const jwks = createLocalJWKSet(
      (await h.app.get(KeyRingService).publicJwks()) as unknown as JSONWebKeySet,
    );
    const [es, rs] = await tokens.sign([
      { aud: 'rp-bcl', sub: 'alice', sid: 'sid-1', jti: 'jti-1', alg: 'ES256' },
      { aud: 'rp-other', sid: 'sid-1', jti: 'jti-2' },
    ]);
    expect(decodeProtectedHeader(es!)).toMatchObject({ alg: 'ES256', typ: 'logout+jwt' });
    expect(decodeProtectedHeader(rs!)).toMatchObject({ alg: 'RS256', typ: 'logout+jwt' });
    const { payload } = await jwtVerify(es!, jwks, {
      issuer: 'http://localhost:3000',
      audience: 'rp-bcl',
      typ: 'logout+jwt',
    });
    expect(payload).toMatchObject({
      sub: 'alice',
      sid: 'sid-1',
      jti: 'jti-1',
      events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
    });
    expect(payload).not.toHaveProperty('nonce');
    expect(payload.exp! - payload.iat!).toBe(120);
  });

  it('falls back to RS256 for an alg we keep no key for', async () => {
    const [token] = await tokens.sign([{ aud: 'rp', sid: 's', jti: 'j', alg: 'HS256' }]);
    expect(decodeProtectedHeader(token!).alg).toBe('RS256');
  });
});
