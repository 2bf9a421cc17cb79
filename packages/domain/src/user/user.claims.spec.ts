import { accessTokenClaims, claimsForScopes } from './user.claims';

const alice = {
  name: 'Alice Liddell',
  given_name: 'Alice',
  family_name: 'Liddell',
  preferred_username: 'alice',
  picture: 'https://example.com/alice.png',
  updated_at: 1_700_000_000,
  email: 'alice@example.com',
  email_verified: true,
  address: { country: 'GB' },
  phone_number: '+44 20 7946 0000',
  phone_number_verified: false,
  nickname: '',
  middle_name: null,
  roles: ['admin'],
  groups: ['staff'],
  tenant: 't1',
};

describe('claimsForScopes (OIDC Core 5.4, 5.5)', () => {
  it('releases nothing for openid alone', () => {
    expect(claimsForScopes(alice, 'openid')).toEqual({});
  });

  it('releases the profile claims the user has, omitting empty ones', () => {
    expect(claimsForScopes(alice, 'openid profile')).toEqual({
      name: 'Alice Liddell',
      given_name: 'Alice',
      family_name: 'Liddell',
      preferred_username: 'alice',
      picture: 'https://example.com/alice.png',
      updated_at: 1_700_000_000,
    });
  });

  it('releases email, address and phone claims by their scopes', () => {
    expect(claimsForScopes(alice, ['openid', 'email', 'address', 'phone'])).toEqual({
      email: 'alice@example.com',
      email_verified: true,
      address: { country: 'GB' },
      phone_number: '+44 20 7946 0000',
      phone_number_verified: false,
    });
  });

  it('never releases custom attributes, by scope or by claims request', () => {
    const released = claimsForScopes(alice, 'openid profile roles groups', {
      roles: { essential: true },
      tenant: null,
    });
    expect(released).not.toHaveProperty('roles');
    expect(released).not.toHaveProperty('groups');
    expect(released).not.toHaveProperty('tenant');
  });

  it('adds standard claims named in the claims request parameter', () => {
    expect(claimsForScopes(alice, 'openid', { email: { essential: true }, name: null })).toEqual({
      email: 'alice@example.com',
      name: 'Alice Liddell',
    });
  });

  it('ignores unknown scopes and prototype names', () => {
    expect(claimsForScopes(alice, 'openid constructor __proto__ toString')).toEqual({});
  });
});

describe('accessTokenClaims', () => {
  it('picks the configured attributes the user has', () => {
    expect(accessTokenClaims(alice, ['roles', 'groups', 'department'])).toEqual({
      roles: ['admin'],
      groups: ['staff'],
    });
  });

  it('never lets configuration override core claims', () => {
    expect(
      accessTokenClaims({ ...alice, sub: 'evil', scope: 'admin' }, ['sub', 'scope', 'tenant']),
    ).toEqual({
      tenant: 't1',
    });
  });
});
