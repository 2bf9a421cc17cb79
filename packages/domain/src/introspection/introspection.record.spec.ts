import {
  AccessTokenIssued,
  AccessTokenRevoked,
  GrantRevoked,
  RefreshTokenIssued,
  freshEventMeta,
} from '@idp/contracts';
import type { Grant, IssuedAccessToken } from '../grant/grant.state';
import {
  decodeRecord,
  encodeRecord,
  introspectionKey,
  introspectionWritesFor,
  recordFromGrant,
  REVOKED,
  type GrantEventBody,
} from './introspection.record';

const NOW = 1_700_000_000;
// A new id per event: ids are unique in the store.
const meta = () => freshEventMeta('c-1');
const body = (e: { type: string; data: unknown }): GrantEventBody => e as GrantEventBody;
const hash = (c: string) => c.repeat(43);

const opaqueIssued = body(
  AccessTokenIssued.create(
    {
      grantId: 'g1',
      jti: 'j-opaque',
      tokenHash: hash('a'),
      format: 'opaque',
      clientId: 'rp',
      sub: 'alice',
      sid: 's1',
      scope: 'openid api.read',
      aud: ['https://api.example'],
      iat: NOW,
      exp: NOW + 300,
      extraClaims: { roles: ['reader'] },
    },
    meta(),
  ),
);

describe('introspection read model', () => {
  it('an opaque access token is stored by its keyed hash, SET NX, until it expires', () => {
    expect(introspectionWritesFor(opaqueIssued)).toEqual([
      {
        key: `introspection:at:${hash('a')}`,
        ifAbsent: true,
        expiresAt: NOW + 300,
        record: {
          active: true,
          token_type: 'access_token',
          grant_id: 'g1',
          jti: 'j-opaque',
          client_id: 'rp',
          sub: 'alice',
          sid: 's1',
          scope: 'openid api.read',
          aud: ['https://api.example'],
          iat: NOW,
          exp: NOW + 300,
          extra_claims: { roles: ['reader'] },
        },
      },
    ]);
  });

  it('a JWT access token is stored by jti; a client_credentials one has no sub', () => {
    const [write] = introspectionWritesFor(
      body(
        AccessTokenIssued.create(
          {
            grantId: 'g2',
            jti: 'j-jwt',
            format: 'jwt',
            clientId: 'svc',
            scope: 'api.read',
            aud: ['https://api.example'],
            iat: NOW,
            exp: NOW + 60,
            extraClaims: {},
          },
          meta(),
        ),
      ),
    );
    expect(write?.key).toBe('introspection:jti:j-jwt');
    expect(write?.record).not.toHaveProperty('sub');
    expect(write?.record).not.toHaveProperty('extra_claims');
  });

  it('rotation stores the new refresh token and tombstones the replaced one (plain SET)', () => {
    const writes = introspectionWritesFor(
      body(
        RefreshTokenIssued.create(
          {
            grantId: 'g1',
            tokenHash: hash('n'),
            clientId: 'rp',
            sub: 'alice',
            scope: 'openid offline_access',
            iat: NOW,
            exp: NOW + 86_400,
            replaces: hash('o'),
            offline: true,
          },
          meta(),
        ),
      ),
    );
    expect(writes.map((w) => [w.key, w.ifAbsent, w.record.active])).toEqual([
      [`introspection:rt:${hash('n')}`, true, true],
      [`introspection:rt:${hash('o')}`, false, false],
    ]);
  });

  it('a revoked grant tombstones every live access token and its refresh token', () => {
    const writes = introspectionWritesFor(
      body(
        GrantRevoked.create(
          {
            grantId: 'g1',
            clientId: 'rp',
            reason: 'client_request',
            until: NOW + 86_400,
            accessTokens: [
              { jti: 'j-opaque', tokenHash: hash('a'), exp: NOW + 300 },
              { jti: 'j-jwt', exp: NOW + 60 },
            ],
            refreshTokenHash: hash('r'),
          },
          meta(),
        ),
      ),
    );
    expect(writes).toEqual([
      {
        key: `introspection:at:${hash('a')}`,
        record: REVOKED,
        expiresAt: NOW + 300,
        ifAbsent: false,
      },
      { key: 'introspection:jti:j-jwt', record: REVOKED, expiresAt: NOW + 60, ifAbsent: false },
      {
        key: `introspection:rt:${hash('r')}`,
        record: REVOKED,
        expiresAt: NOW + 86_400,
        ifAbsent: false,
      },
    ]);
  });

  it('one revoked access token is one tombstone', () => {
    const writes = introspectionWritesFor(
      body(
        AccessTokenRevoked.create(
          { grantId: 'g1', jti: 'j-jwt', clientId: 'rp', exp: NOW + 60, reason: 'client_request' },
          meta(),
        ),
      ),
    );
    expect(writes).toEqual([
      { key: 'introspection:jti:j-jwt', record: REVOKED, expiresAt: NOW + 60, ifAbsent: false },
    ]);
  });

  it('the read-through record of a live token equals the projected one, byte for byte', () => {
    const [projected] = introspectionWritesFor(opaqueIssued);
    const token: IssuedAccessToken = {
      jti: 'j-opaque',
      tokenHash: hash('a'),
      format: 'opaque',
      scope: 'openid api.read',
      aud: ['https://api.example'],
      iat: NOW,
      exp: NOW + 300,
      extraClaims: { roles: ['reader'] },
      revoked: false,
    };
    const grant = {
      status: 'active',
      grantId: 'g1',
      clientId: 'rp',
      sub: 'alice',
      sid: 's1',
      scope: 'openid api.read offline_access',
    } as unknown as Grant;
    const live = recordFromGrant(grant, { role: 'access_token', token }, NOW);
    expect(encodeRecord(live)).toBe(encodeRecord(projected!.record));
    expect(recordFromGrant(grant, { role: 'access_token', token }, NOW + 300)).toEqual({
      active: false,
      reason: 'expired',
    });
    expect(
      recordFromGrant(
        { ...grant, status: 'revoked' } as Grant,
        { role: 'access_token', token },
        NOW,
      ),
    ).toBe(REVOKED);
    expect(recordFromGrant(grant, { role: 'other' }, NOW)).toBe(REVOKED);
    expect(recordFromGrant(grant, undefined, NOW)).toEqual({ active: false, reason: 'unknown' });
  });

  it("an exchanged token (RFC 8693) is its exchanging client's, with act, projected and read through alike", () => {
    const act = { sub: 'svc-b', client_id: 'svc-b', act: { sub: 'svc-a', client_id: 'svc-a' } };
    const exchanged = body(
      AccessTokenIssued.create(
        {
          grantId: 'g1',
          jti: 'g1.x',
          format: 'jwt',
          clientId: 'rp',
          sub: 'alice',
          sid: 's1',
          scope: 'openid',
          aud: ['svc-c'],
          iat: NOW,
          exp: NOW + 300,
          extraClaims: {},
          issuedTo: 'svc-b',
          act,
        },
        meta(),
      ),
    );
    const [projected] = introspectionWritesFor(exchanged);
    expect(projected!.record).toMatchObject({ client_id: 'svc-b', act });
    const token: IssuedAccessToken = {
      jti: 'g1.x',
      format: 'jwt',
      scope: 'openid',
      aud: ['svc-c'],
      iat: NOW,
      exp: NOW + 300,
      extraClaims: {},
      issuedTo: 'svc-b',
      act,
      revoked: false,
    };
    const grant = {
      status: 'active',
      grantId: 'g1',
      clientId: 'rp',
      sub: 'alice',
      sid: 's1',
      scope: 'openid',
    } as unknown as Grant;
    const live = recordFromGrant(grant, { role: 'access_token', token }, NOW);
    expect(encodeRecord(live)).toBe(encodeRecord(projected!.record));
  });

  it('decodes what it encodes and reads garbage as absent (the caller reads through)', () => {
    expect(decodeRecord(encodeRecord(REVOKED))).toEqual(REVOKED);
    expect(decodeRecord(null)).toBeUndefined();
    expect(decodeRecord('{not json')).toBeUndefined();
    expect(decodeRecord('"a string"')).toBeUndefined();
    expect(decodeRecord('{"active":"yes"}')).toBeUndefined();
  });

  it('keys never collide across kinds', () => {
    const keys = new Set([
      introspectionKey({ kind: 'opaque_access_token', tokenHash: hash('x') }),
      introspectionKey({ kind: 'refresh_token', tokenHash: hash('x') }),
      introspectionKey({ kind: 'jwt_access_token', jti: hash('x') }),
    ]);
    expect(keys.size).toBe(3);
  });
});
