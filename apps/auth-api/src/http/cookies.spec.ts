import { clearCookie, readCookie, serializeCookie } from './cookies';

describe('cookies', () => {
  it('reads a cookie by exact name, the first (most specific path) when repeated', () => {
    const header = 'a=1; idp_session=x.y; idp_session_old=z; idp_session=second';
    expect(readCookie(header, 'idp_session')).toBe('x.y');
    expect(readCookie(header, 'idp')).toBeUndefined();
    expect(readCookie(undefined, 'a')).toBeUndefined();
  });

  it('writes HttpOnly, SameSite=Lax cookies, Secure only when asked', () => {
    expect(serializeCookie('n', 'v.1_-', { path: '/', maxAge: 60, secure: true })).toBe(
      'n=v.1_-; Path=/; Max-Age=60; HttpOnly; SameSite=Lax; Secure',
    );
    expect(serializeCookie('n', 'v', { path: '/interaction/x', maxAge: 1, secure: false })).toBe(
      'n=v; Path=/interaction/x; Max-Age=1; HttpOnly; SameSite=Lax',
    );
    expect(clearCookie('n', { path: '/p', secure: false })).toBe(
      'n=; Path=/p; Max-Age=0; HttpOnly; SameSite=Lax',
    );
  });

  it('refuses values and paths that could inject attributes', () => {
    const opts = { path: '/', maxAge: 1, secure: false };
    expect(() => serializeCookie('n', 'a; Domain=evil', opts)).toThrow('base64url');
    expect(() => serializeCookie('n', 'v', { ...opts, path: '/; Secure' })).toThrow('path');
    expect(() => serializeCookie('n', 'v', { ...opts, maxAge: -1 })).toThrow('Max-Age');
  });
});
