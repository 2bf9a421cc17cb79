import { bearerFrom, StaticBearer } from './static-bearer';

describe('StaticBearer', () => {
  const configured = 'a-configured-token-0123456789abcdef';

  it('matches exactly the configured value', () => {
    const bearer = new StaticBearer(configured);
    expect(bearer.enabled).toBe(true);
    expect(bearer.matches(configured)).toBe(true);
    for (const other of [
      undefined,
      '',
      configured.slice(1),
      `${configured}x`,
      configured.toUpperCase(),
    ])
      expect(bearer.matches(other)).toBe(false);
  });

  it('is disabled, and matches nothing, when unset', () => {
    const bearer = new StaticBearer(undefined);
    expect(bearer.enabled).toBe(false);
    expect(bearer.matches('anything')).toBe(false);
  });

  it('verify throws 401 invalid_token with a Bearer challenge (RFC 6750 3.1)', () => {
    const bearer = new StaticBearer(configured);
    expect(() => bearer.verify(`Bearer ${configured}`, 'x')).not.toThrow();
    expect(() => bearer.verify(undefined, 'a token is required')).toThrow(
      expect.objectContaining({
        error: 'invalid_token',
        status: 401,
        headers: {
          'WWW-Authenticate':
            'Bearer realm="idp", error="invalid_token", error_description="a token is required"',
        },
      }),
    );
  });

  it('reads RFC 6750 2.1 Bearer credentials only', () => {
    expect(bearerFrom('Bearer abc.def~+/==')).toBe('abc.def~+/==');
    expect(bearerFrom('bearer  abc')).toBe('abc');
    for (const header of [undefined, '', 'Bearer', 'Bearer a b', 'Basic abc', 'Bearer a"b'])
      expect(bearerFrom(header)).toBeUndefined();
  });
});
