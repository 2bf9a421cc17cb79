import {
  generateSigningKey,
  importTokenSigningKey,
  signAccessTokenJwt,
  type TokenSigningKey,
} from '@idp/crypto';
import { emptyJwks, type JwksReadModel } from '../projections/jwks.read-model';
import { AccessTokenVerifier } from './access-token.verifier';

const ISS = 'https://op.example';
const START_MS = Date.now();

let signing: TokenSigningKey;
let withKey: JwksReadModel;
beforeAll(async () => {
  const g = await generateSigningKey('ES256');
  signing = await importTokenSigningKey(g.privateJwk);
  withKey = {
    version: 1,
    keys: { [String(g.publicJwk.kid)]: { jwk: { ...g.publicJwk }, status: 'active' } },
  };
});

const token = async (lifetimeSeconds = 300) =>
  (
    await signAccessTokenJwt({
      issuer: ISS,
      sub: 'alice',
      clientId: 'web',
      aud: 'https://api.example',
      lifetimeSeconds,
      now: Math.floor(START_MS / 1000),
      key: signing,
    })
  ).token;

/** A verifier over a JWKS read model the test can change, on a clock it controls. */
function verifierOver(initial: JwksReadModel) {
  const clock = { now: START_MS, model: initial };
  const verifier = new AccessTokenVerifier(
    { read: async () => clock.model },
    { issuer: ISS, checkedTokens: 10_000 },
    () => clock.now,
  );
  return { verifier, clock };
}

describe('AccessTokenVerifier: remembered signatures', () => {
  it('a remembered token is still refused once it expires', async () => {
    const { verifier, clock } = verifierOver(withKey);
    const jwt = await token(60);
    expect(await verifier.check(jwt)).toMatchObject({ outcome: 'valid' });
    expect(await verifier.check(jwt)).toMatchObject({ outcome: 'valid' }); // from memory
    clock.now = START_MS + 60_000 + 10_000; // past exp and the 5 s tolerance
    expect(await verifier.check(jwt)).toEqual({ outcome: 'invalid' });
  });

  it('a remembered token is no longer valid once its key leaves the key set', async () => {
    const { verifier, clock } = verifierOver(withKey);
    const jwt = await token();
    expect(await verifier.check(jwt)).toMatchObject({ outcome: 'valid' });
    clock.model = emptyJwks(); // the key was withdrawn
    clock.now = START_MS + 61_000; // keys are re-read at least once a minute
    expect(await verifier.check(jwt)).toEqual({ outcome: 'unknown_key' });
    clock.model = withKey;
    clock.now = START_MS + 63_000;
    // Back in the set: verified afresh (not served from a stale memory), and valid.
    expect(await verifier.check(jwt)).toMatchObject({ outcome: 'valid' });
  });

  it('remembers only exact tokens: a tampered copy of a remembered token is invalid', async () => {
    const { verifier } = verifierOver(withKey);
    const jwt = await token();
    expect(await verifier.check(jwt)).toMatchObject({ outcome: 'valid' });
    const [h, p, s] = jwt.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, scope: 'admin' })).toString('base64url')}.${s}`;
    expect(await verifier.check(forged)).toEqual({ outcome: 'invalid' });
  });
});
