import type { ReplayStore } from '@idp/cache';
import { systemClock } from '@idp/contracts';
import { OAuthError } from '@idp/oauth-errors';
import { EdgeConfig } from '../http/edge-config';
import { testConfig } from '../http/auth-api.fixtures';
import { dpopProof, proofKey } from './dpop.fixtures';
import { DpopProofs } from './dpop-proofs';

const HTU = 'https://idp.example.com/token';

describe('DpopProofs', () => {
  const proofs = (replay: ReplayStore) => {
    const config = testConfig();
    return new DpopProofs(config, new EdgeConfig(config), replay, systemClock);
  };
  const request = (dpop: string) => ({ method: 'POST', rawHeaders: ['DPoP', dpop] });

  it('answers 503 temporarily_unavailable when the replay store fails, never accepting the proof', async () => {
    const broken: ReplayStore = {
      claimOnce: () => Promise.reject(new Error('ECONNREFUSED')),
      ready: async () => false,
      close: async () => undefined,
    };
    const proof = await dpopProof(await proofKey(), 'POST', HTU);
    const err = await proofs(broken)
      .verify(request(proof), '/token', { at: 'token' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OAuthError);
    expect(err).toMatchObject({ error: 'temporarily_unavailable', status: 503 });
  });

  it('claims a hash of (jkt, jti), never the values, for as long as the proof could be accepted', async () => {
    const claims: [string, number][] = [];
    const recording: ReplayStore = {
      claimOnce: async (key, ttlMs) => {
        claims.push([key, ttlMs]);
        return true;
      },
      ready: async () => true,
      close: async () => undefined,
    };
    const key = await proofKey();
    const proof = await dpopProof(key, 'POST', HTU, { jti: 'jti-visible-0001' });
    const verified = await proofs(recording).verify(request(proof), '/token', { at: 'token' });
    expect(verified?.jkt).toBe(key.jkt);
    expect(claims).toHaveLength(1);
    const [stored, ttlMs] = claims[0]!;
    expect(stored).toMatch(/^dpop:[A-Za-z0-9_-]{43}$/);
    expect(stored).not.toContain(key.jkt);
    expect(stored).not.toContain('jti-visible');
    // DPOP_PROOF_MAX_AGE 60 + 2 × DPOP_CLOCK_SKEW 5 + 1, in ms.
    expect(ttlMs).toBe(71_000);
  });

  it('answers undefined for a request without a DPoP header', async () => {
    const store: ReplayStore = {
      claimOnce: () => Promise.reject(new Error('not called')),
      ready: async () => true,
      close: async () => undefined,
    };
    expect(
      await proofs(store).verify({ method: 'POST', rawHeaders: [] }, '/token', { at: 'token' }),
    ).toBeUndefined();
  });
});
