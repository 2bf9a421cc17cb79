import { randomBytes } from '@idp/crypto';
import { loadConfig } from '@idp/config';
import type { RingKey } from '@idp/domain';
import { KeyRingService } from './key-ring.service';

const key = (kid: string, alg: RingKey['alg'], status: RingKey['status'], activatedAt?: number) =>
  [
    kid,
    {
      kid,
      alg,
      status,
      publicJwk: {},
      encryptedPrivateJwk: '',
      ...(activatedAt === undefined ? {} : { activatedAt }),
    },
  ] as const;

describe('KeyRingService.activeKeyAges (idp_signing_key_age_seconds)', () => {
  it('gives the age of each algorithm’s active key only', async () => {
    const state = {
      keys: new Map<string, RingKey>([
        key('es-old', 'ES256', 'retired', 100),
        key('es', 'ES256', 'active', 1_000),
        key('rs', 'RS256', 'active', 400),
        key('ps', 'PS256', 'generated'),
      ]),
    };
    const runner = { load: async () => ({ state, version: 4 }) };
    const ring = new KeyRingService(
      runner as never,
      loadConfig({ PORT: '0', KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url') }),
    );
    expect(await ring.activeKeyAges(1_600)).toEqual([
      { alg: 'ES256', ageSeconds: 600 },
      { alg: 'RS256', ageSeconds: 1_200 },
    ]);
  });
});
