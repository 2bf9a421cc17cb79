import { REVOKED, type ActiveTokenRecord } from '@idp/domain';
import { INACTIVE, introspectionResponse } from './introspection-response';

const NOW = 1_700_000_000;
const ISS = 'https://op.example';
const access: ActiveTokenRecord = {
  active: true,
  token_type: 'access_token',
  grant_id: 'g1',
  jti: 'j1',
  client_id: 'web',
  sub: 'alice',
  sid: 's1',
  scope: 'openid api.read',
  aud: ['https://api.example', 'resource-server'],
  iat: NOW - 10,
  exp: NOW + 300,
  extra_claims: { roles: ['reader'], sub: 'mallory', active: false, iss: 'evil', tenant: 't1' },
};
const refresh: ActiveTokenRecord = {
  active: true,
  token_type: 'refresh_token',
  grant_id: 'g1',
  client_id: 'web',
  sub: 'alice',
  scope: 'openid offline_access',
  iat: NOW - 10,
  exp: NOW + 86_400,
};
const as = (callerId: string, now = NOW) => ({ callerId, issuer: ISS, now });

describe('introspectionResponse (caller policy)', () => {
  it('answers an access token to its client with every RFC 7662 member', () => {
    expect(introspectionResponse(access, as('web'))).toEqual({
      active: true,
      scope: 'openid api.read',
      client_id: 'web',
      token_type: 'Bearer',
      exp: NOW + 300,
      iat: NOW - 10,
      nbf: NOW - 10,
      sub: 'alice',
      aud: ['https://api.example', 'resource-server'],
      iss: ISS,
      jti: 'j1',
      sid: 's1',
      roles: ['reader'],
      tenant: 't1',
    });
  });

  it('answers an access token to a resource server named in its aud', () => {
    expect(introspectionResponse(access, as('resource-server'))).toMatchObject({
      active: true,
      client_id: 'web',
    });
  });

  it('extra claims never override or add standard members', () => {
    const noSub = { ...access, sub: undefined } as unknown as ActiveTokenRecord;
    const body = introspectionResponse(noSub, as('web'));
    expect(body).not.toHaveProperty('sub');
    expect(body.active).toBe(true);
    expect(body['iss']).toBe(ISS);
  });

  it('answers a refresh token only to the client that owns it, never to an audience', () => {
    expect(introspectionResponse(refresh, as('web'))).toMatchObject({
      active: true,
      token_type: 'refresh_token',
    });
    expect(introspectionResponse(refresh, as('https://api.example'))).toEqual(INACTIVE);
    expect(introspectionResponse(refresh, as('other'))).toEqual(INACTIVE);
  });

  it('anyone else learns exactly {"active":false}', () => {
    expect(JSON.stringify(introspectionResponse(access, as('other')))).toBe('{"active":false}');
  });

  it('an expired token is inactive even while its entry is still cached', () => {
    expect(introspectionResponse(access, as('web', NOW + 300))).toEqual(INACTIVE);
    expect(introspectionResponse(access, as('web', NOW + 299)).active).toBe(true);
  });

  it('tombstones are inactive, with no reason given', () => {
    expect(JSON.stringify(introspectionResponse(REVOKED, as('web')))).toBe('{"active":false}');
  });

  it('answers a DPoP-bound token with token_type DPoP and its cnf (RFC 9449 6.2)', () => {
    const bound = { ...access, cnf: { jkt: 'K'.repeat(43) } };
    expect(introspectionResponse(bound, as('web'))).toMatchObject({
      token_type: 'DPoP',
      cnf: { jkt: 'K'.repeat(43) },
    });
    expect(introspectionResponse(access, as('web'))).toMatchObject({ token_type: 'Bearer' });
    expect(introspectionResponse(access, as('web'))).not.toHaveProperty('cnf');
    // A certificate-bound token (RFC 8705) is a Bearer token with its cnf.
    expect(
      introspectionResponse({ ...access, cnf: { 'x5t#S256': 'C'.repeat(43) } }, as('web')),
    ).toMatchObject({ token_type: 'Bearer', cnf: { 'x5t#S256': 'C'.repeat(43) } });
    // A bound refresh token is still a refresh token.
    expect(
      introspectionResponse({ ...refresh, cnf: { jkt: 'K'.repeat(43) } }, as('web')),
    ).toMatchObject({ token_type: 'refresh_token', cnf: { jkt: 'K'.repeat(43) } });
  });
});
