import { InMemoryReadModelCache } from '@idp/cache';
import {
  deriveTokenKeys,
  generateSigningKey,
  importTokenSigningKey,
  keyedHash,
  mintOpaqueToken,
  signAccessTokenJwt,
  signIdToken,
  type TokenSigningKey,
  verifyOpaqueToken,
  randomBytes,
} from '@idp/crypto';
import {
  decodeRecord,
  encodeRecord,
  introspectionKey,
  REVOKED,
  UNKNOWN,
  type ActiveTokenRecord,
} from '@idp/domain';
import { registry } from '@idp/nest-kit';
import { TemporarilyUnavailable } from '@idp/oauth-errors';
import { emptyJwks, type JwksReadModel } from '../projections/jwks.read-model';
import { AccessTokenVerifier } from './access-token.verifier';
import { TokenIntrospector } from './token-introspector';

// The MAC check, observed: a repeated token must not pay for it again.
jest.mock('@idp/crypto', () => {
  const actual = jest.requireActual<typeof import('@idp/crypto')>('@idp/crypto');
  return { ...actual, verifyOpaqueToken: jest.fn(actual.verifyOpaqueToken) };
});
const macChecks = verifyOpaqueToken as jest.MockedFunction<typeof verifyOpaqueToken>;

const ISS = 'https://op.example';
const NOW_S = Math.floor(Date.now() / 1000);
const keys = deriveTokenKeys(randomBytes(32).toString('base64url'));
const config = { keys, issuer: ISS, readThroughTimeoutMs: 1000, checkedTokens: 10_000 };

const active = (over: Partial<ActiveTokenRecord> = {}): ActiveTokenRecord => ({
  active: true,
  token_type: 'access_token',
  grant_id: 'g1',
  jti: 'j1',
  client_id: 'web',
  scope: 'api.read',
  aud: ['https://api.example'],
  iat: NOW_S,
  exp: NOW_S + 300,
  ...over,
});

let signing: TokenSigningKey;
let jwks: JwksReadModel;
beforeAll(async () => {
  const g = await generateSigningKey('ES256');
  signing = await importTokenSigningKey(g.privateJwk);
  jwks = {
    version: 1,
    keys: { [String(g.publicJwk.kid)]: { jwk: { ...g.publicJwk }, status: 'active' } },
  };
});

function setup(model: () => JwksReadModel = () => jwks) {
  const cache = new InMemoryReadModelCache({ sweepIntervalMs: 0 });
  const introspect = jest.fn(async (_req: { token: string }) => ({
    key: null as string | null,
    record: { ...UNKNOWN } as unknown as Record<string, never>,
  }));
  const read = jest.fn(async () => model());
  const verifier = new AccessTokenVerifier({ read }, config);
  const introspector = new TokenIntrospector(cache, { introspect } as never, verifier, config);
  return { cache, introspect, read, introspector };
}

const accessToken = () => mintOpaqueToken('at', keys.macKey, 'g1');
const atKey = (token: string) =>
  introspectionKey({ kind: 'opaque_access_token', tokenHash: keyedHash(keys.tokenHashKey, token) });
const jwt = async (over: { issuer?: string; lifetimeSeconds?: number; now?: number } = {}) =>
  (
    await signAccessTokenJwt({
      issuer: ISS,
      sub: 'alice',
      clientId: 'web',
      aud: 'https://api.example',
      lifetimeSeconds: 300,
      now: NOW_S,
      key: signing,
      ...over,
    })
  ).token;

describe('TokenIntrospector', () => {
  it('answers an opaque token from one GET of its keyed-hash key, without token-service', async () => {
    const { cache, introspect, introspector } = setup();
    const token = accessToken();
    await cache.set(atKey(token), encodeRecord(active()));
    expect(await introspector.record(token)).toEqual(active());
    expect(introspect).not.toHaveBeenCalled();
  });

  it('a repeated opaque token skips the MAC check but is looked up every time: a revocation shows at once', async () => {
    const { cache, introspector } = setup();
    const token = accessToken();
    const otherToken = accessToken();
    await cache.set(atKey(token), encodeRecord(active()));
    await cache.set(atKey(otherToken), encodeRecord(active({ jti: 'j2' })));
    const get = jest.spyOn(cache, 'get');
    expect(await introspector.record(token)).toEqual(active());
    macChecks.mockClear();
    expect(await introspector.record(token)).toEqual(active());
    expect(macChecks).not.toHaveBeenCalled();
    // Another token is checked on its own, and never answered from the first one's entry.
    expect(await introspector.record(otherToken)).toEqual(active({ jti: 'j2' }));
    expect(macChecks).toHaveBeenCalledTimes(1);
    await cache.set(atKey(token), encodeRecord(REVOKED));
    expect(await introspector.record(token)).toEqual(REVOKED);
    expect(get).toHaveBeenCalledTimes(4);
  });

  it('with INTROSPECTION_CHECKED_TOKENS=0 every request checks the MAC again', async () => {
    const cache = new InMemoryReadModelCache({ sweepIntervalMs: 0 });
    const none = { ...config, checkedTokens: 0 };
    const verifier = new AccessTokenVerifier({ read: async () => jwks }, none);
    const introspector = new TokenIntrospector(cache, {} as never, verifier, none);
    const token = accessToken();
    await cache.set(atKey(token), encodeRecord(active()));
    macChecks.mockClear();
    expect(await introspector.record(token)).toEqual(active());
    expect(await introspector.record(token)).toEqual(active());
    expect(macChecks).toHaveBeenCalledTimes(2);
  });

  it('a token that failed the MAC check is checked again each time (nothing remembered)', async () => {
    const { introspector } = setup();
    const other = deriveTokenKeys(randomBytes(32).toString('base64url'));
    const forged = mintOpaqueToken('at', other.macKey, 'g1');
    macChecks.mockClear();
    expect(await introspector.record(forged)).toEqual(UNKNOWN);
    expect(await introspector.record(forged)).toEqual(UNKNOWN);
    expect(macChecks).toHaveBeenCalledTimes(2);
  });

  it('looks refresh tokens up under their own key', async () => {
    const { cache, introspector } = setup();
    const token = mintOpaqueToken('rt', keys.macKey, 'g1');
    const rt = active({ token_type: 'refresh_token' });
    const key = introspectionKey({
      kind: 'refresh_token',
      tokenHash: keyedHash(keys.tokenHashKey, token),
    });
    await cache.set(key, encodeRecord(rt));
    expect(await introspector.record(token)).toEqual(rt);
  });

  it('forged, foreign or garbage tokens are inactive without touching Redis or token-service', async () => {
    const { cache, introspect, introspector } = setup();
    const get = jest.spyOn(cache, 'get');
    const other = deriveTokenKeys(randomBytes(32).toString('base64url'));
    const forged = mintOpaqueToken('at', other.macKey, 'g1');
    const code = mintOpaqueToken('ac', keys.macKey, 'g1');
    const deviceCode = mintOpaqueToken('dc', keys.macKey, 'dev1');
    for (const token of [forged, code, deviceCode, 'garbage', 'a.b', 'x'.repeat(5000), '']) {
      expect(await introspector.record(token)).toEqual(UNKNOWN);
    }
    expect(get).not.toHaveBeenCalled();
    expect(introspect).not.toHaveBeenCalled();
  });

  it('a miss reads through and caches an active answer with SET NX until the token expires', async () => {
    const { cache, introspect, introspector } = setup();
    const token = accessToken();
    introspect.mockResolvedValueOnce({ key: atKey(token), record: active() as never });
    expect(await introspector.record(token)).toEqual(active());
    expect(introspect).toHaveBeenCalledWith({ token }, { timeoutMs: 1000 });
    expect(decodeRecord(await cache.get(atKey(token)))).toEqual(active());
    const ttl = (await cache.ttlMs(atKey(token)))!;
    expect(ttl).toBeGreaterThan(290_000);
    expect(ttl).toBeLessThanOrEqual(300_000);
    await introspector.record(token);
    expect(introspect).toHaveBeenCalledTimes(1);
  });

  it('a late read-through never overwrites a tombstone written meanwhile', async () => {
    const { cache, introspect, introspector } = setup();
    const token = accessToken();
    introspect.mockImplementationOnce(async () => {
      await cache.set(atKey(token), encodeRecord(REVOKED)); // /revoke committed during the call
      return { key: atKey(token), record: active() as never };
    });
    await introspector.record(token);
    expect(decodeRecord(await cache.get(atKey(token)))).toEqual(REVOKED);
    expect(await introspector.record(token)).toEqual(REVOKED);
  });

  it('caches unknown answers for about 5 s, and nothing when token-service gives no key', async () => {
    const { cache, introspect, introspector } = setup();
    const token = accessToken();
    introspect.mockResolvedValueOnce({ key: atKey(token), record: UNKNOWN as never });
    expect(await introspector.record(token)).toEqual(UNKNOWN);
    const ttl = (await cache.ttlMs(atKey(token)))!;
    expect(ttl).toBeGreaterThan(3_000);
    expect(ttl).toBeLessThanOrEqual(6_000);

    const jwe = 'a.b.c.d.e';
    expect(await introspector.record(jwe)).toEqual(UNKNOWN);
    expect(introspect).toHaveBeenLastCalledWith({ token: jwe }, { timeoutMs: 1000 });
  });

  it('reads through when Redis fails or holds an undecodable entry', async () => {
    const { cache, introspect, introspector } = setup();
    const token = accessToken();
    await cache.set(atKey(token), '{not json');
    introspect.mockResolvedValue({ key: atKey(token), record: active() as never });
    expect(await introspector.record(token)).toEqual(active());
    jest.spyOn(cache, 'get').mockRejectedValue(new Error('redis down'));
    jest.spyOn(cache, 'setIfAbsent').mockRejectedValue(new Error('redis down'));
    expect(await introspector.record(token)).toEqual(active());
    expect(introspect).toHaveBeenCalledTimes(2);
  });

  it('when the read-through fails too: temporarily_unavailable, never active', async () => {
    const { introspect, introspector } = setup();
    introspect.mockRejectedValue(new TemporarilyUnavailable('down'));
    const failure = introspector.record(accessToken());
    await expect(failure).rejects.toBeInstanceOf(TemporarilyUnavailable);
    await expect(failure).rejects.toMatchObject({ status: 503 });
  });

  it('counts read-throughs by result, and none for answers from the read model', async () => {
    const readThroughs = async () =>
      Object.fromEntries(
        (await registry.getSingleMetric('idp_introspection_read_through_total')!.get()).values.map(
          (v) => [v.labels['result'], v.value],
        ),
      );
    const { cache, introspect, introspector } = setup();
    const before = await readThroughs();
    const cached = accessToken();
    await cache.set(atKey(cached), encodeRecord(active()));
    await introspector.record(cached);
    await introspector.record('garbage');
    introspect.mockResolvedValueOnce({ key: null, record: active() as never });
    await introspector.record(accessToken());
    introspect.mockRejectedValueOnce(new Error('down'));
    await introspector.record(accessToken()).catch(() => undefined);
    const after = await readThroughs();
    expect({
      answered: after['answered']! - before['answered']!,
      failed: after['failed']! - before['failed']!,
    }).toEqual({ answered: 1, failed: 1 });
  });

  it('verifies a JWT locally and looks it up by jti', async () => {
    const { cache, introspect, introspector } = setup();
    const token = await jwt();
    const jti = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti;
    await cache.set(introspectionKey({ kind: 'jwt_access_token', jti }), encodeRecord(REVOKED));
    expect(await introspector.record(token)).toEqual(REVOKED);
    expect(introspect).not.toHaveBeenCalled();
  });

  it('JWTs that fail verification are inactive without any lookup: expired, foreign issuer, ID tokens, tampered', async () => {
    const { cache, introspect, introspector } = setup();
    const get = jest.spyOn(cache, 'get');
    const good = await jwt();
    const [h, p, s] = good.split('.') as [string, string, string];
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), scope: 'admin' })).toString('base64url')}.${s}`;
    const idToken = await signIdToken({
      issuer: ISS,
      sub: 'alice',
      aud: 'web',
      lifetimeSeconds: 300,
      now: NOW_S,
      key: signing,
    });
    for (const token of [
      await jwt({ now: NOW_S - 1000 }),
      await jwt({ issuer: 'https://evil.example' }),
      idToken.token,
      tampered,
    ]) {
      expect(await introspector.record(token)).toEqual(UNKNOWN);
    }
    expect(get).not.toHaveBeenCalled();
    expect(introspect).not.toHaveBeenCalled();
  });

  it('a kid the read model does not have yet re-reads it once, then reads through (new keys lag)', async () => {
    const model = emptyJwks();
    const { introspect, read, introspector } = setup(() => model);
    const token = await jwt();
    introspect.mockResolvedValue({ key: null, record: active() as never });
    expect(await introspector.record(token)).toEqual(active());
    expect(introspect).toHaveBeenCalledTimes(1);
    expect(read).toHaveBeenCalledTimes(1);
    // The read model still lacks it: no re-read within a second, straight to token-service.
    await introspector.record(token);
    expect(read).toHaveBeenCalledTimes(1);
    expect(introspect).toHaveBeenCalledTimes(2);
  });

  it('a kid that appears in the read model is verified locally from then on', async () => {
    let model = emptyJwks();
    let now = Date.now();
    const cache = new InMemoryReadModelCache({ sweepIntervalMs: 0 });
    const introspect = jest.fn(async () => ({ key: null, record: active() }));
    const read = jest.fn(async () => model);
    const verifier = new AccessTokenVerifier({ read }, config, () => now);
    const introspector = new TokenIntrospector(cache, { introspect } as never, verifier, config);
    const token = await jwt();
    await introspector.record(token);
    model = jwks;
    now += 1_001;
    const jti = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti;
    await cache.set(introspectionKey({ kind: 'jwt_access_token', jti }), encodeRecord(active()));
    expect(await introspector.record(token)).toEqual(active());
    expect(read).toHaveBeenCalledTimes(2);
    expect(introspect).toHaveBeenCalledTimes(1);
  });
});
