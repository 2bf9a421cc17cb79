import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { startAdminHarness, type AdminHarness } from '../admin/admin.fixtures';
import { KeyRingService } from '../keys/key-ring.service';
import { SecurityEventSigner } from './security-event-signer.service';

const SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
const request = {
  aud: 'rs-1',
  jti: 'set-1',
  iat: 1_800_000_000,
  txn: 'ev-1',
  subId: { format: 'opaque', id: 'sid-1' },
  events: { [SESSION_REVOKED]: { event_timestamp: 1_800_000_000 } },
};

/** token-service signs the transmitter's SETs with the key ring (ADR 0035). */
describe('SecurityEventSigner', () => {
  const harnesses: AdminHarness[] = [];
  afterAll(() => Promise.all(harnesses.map((h) => h.close())));

  async function signerWith(env: Record<string, string>) {
    const h = await startAdminHarness(env);
    harnesses.push(h);
    const jwks = createLocalJWKSet(
      (await h.app.get(KeyRingService).publicJwks()) as unknown as JSONWebKeySet,
    );
    return { signer: h.app.get(SecurityEventSigner), jwks };
  }

  it('signs SETs in order with SSF_SET_ALG, our issuer, and the jti, iat and txn it was given', async () => {
    const { signer, jwks } = await signerWith({});
    const [first, second] = await signer.sign([request, { ...request, jti: 'set-2', aud: 'rs-2' }]);
    expect(decodeProtectedHeader(first!)).toMatchObject({ alg: 'ES256', typ: 'secevent+jwt' });
    const { payload } = await jwtVerify(first!, jwks, {
      issuer: 'http://localhost:3000',
      audience: 'rs-1',
      typ: 'secevent+jwt',
    });
    expect(payload).toMatchObject({ jti: 'set-1', iat: 1_800_000_000, txn: 'ev-1' });
    expect((await jwtVerify(second!, jwks)).payload).toMatchObject({ jti: 'set-2', aud: 'rs-2' });
    expect(await signer.sign([])).toEqual([]);
  });

  it('falls back to RS256 when no key of SSF_SET_ALG is kept', async () => {
    const { signer, jwks } = await signerWith({ SIGNING_KEY_ALGS: 'RS256', SSF_SET_ALG: 'ES256' });
    const [set] = await signer.sign([request]);
    expect(decodeProtectedHeader(set!).alg).toBe('RS256');
    await expect(jwtVerify(set!, jwks)).resolves.toBeDefined();
  });
});
