import {
  appendQuery,
  renderAuthorizationResponse,
  type AuthorizationResponse,
} from './authorization-response';
import type { AuthorizationRedirect } from './types';

const options = { issuer: 'https://idp.example', scriptNonce: 'r4nd0mN0nceValue123' };
const iss = 'iss=https%3A%2F%2Fidp.example';

function location(r: AuthorizationResponse): string {
  if (r.kind !== 'redirect') throw new Error(`expected a redirect, got ${r.kind}`);
  return r.location;
}
function html(r: AuthorizationResponse): string {
  if (r.kind !== 'html') throw new Error(`expected html, got ${r.kind}`);
  return r.body;
}
const target = (redirectUri: string, responseMode: AuthorizationRedirect['responseMode']) => ({
  redirectUri,
  responseMode,
  state: 'xyz',
});

describe('renderAuthorizationResponse: query', () => {
  it('appends code, state and iss (RFC 6749 4.1.2, RFC 9207 2)', () => {
    const r = renderAuthorizationResponse(
      target('https://app.example/cb', 'query'),
      { code: 'c1' },
      options,
    );
    expect(location(r)).toBe(`https://app.example/cb?code=c1&state=xyz&${iss}`);
    expect(r.headers['Cache-Control']).toBe('no-store');
  });

  it("keeps the registered URI's query exactly as registered (RFC 6749 3.1.2)", () => {
    const r = renderAuthorizationResponse(
      target('https://app.example/cb?tenant=a%20b&flag', 'query'),
      { code: 'c1' },
      options,
    );
    expect(location(r)).toBe(`https://app.example/cb?tenant=a%20b&flag&code=c1&state=xyz&${iss}`);
  });

  it.each([
    ['https://app.example/cb?', 'https://app.example/cb?code=c'],
    ['https://app.example/cb?a=1&', 'https://app.example/cb?a=1&code=c'],
    ['https://app.example/cb?a=1', 'https://app.example/cb?a=1&code=c'],
    ['com.example.app:/oauth', 'com.example.app:/oauth?code=c'],
  ])('appendQuery(%j)', (uri, expected) => {
    expect(appendQuery(uri, 'code=c')).toBe(expected);
  });

  it('form-urlencodes values and leaves out undefined ones', () => {
    const r = renderAuthorizationResponse(
      { redirectUri: 'https://app.example/cb', responseMode: 'query', state: 'a b&c=d+e/é' },
      { code: 'x', session_state: undefined },
      options,
    );
    expect(location(r)).toBe(`https://app.example/cb?code=x&state=a+b%26c%3Dd%2Be%2F%C3%A9&${iss}`);
    expect(new URL(location(r)).searchParams.get('state')).toBe('a b&c=d+e/é');
  });

  it('takes state and iss only from the target and the options', () => {
    const r = renderAuthorizationResponse(
      { redirectUri: 'https://app.example/cb', responseMode: 'query' },
      { code: 'c', state: 'forged', iss: 'https://evil.example' },
      options,
    );
    expect(location(r)).toBe(`https://app.example/cb?code=c&${iss}`);
  });

  it('drops a fragment from the redirect_uri (RFC 6749 3.1.2)', () => {
    const r = renderAuthorizationResponse(
      target('https://app.example/cb#top', 'query'),
      { code: 'c' },
      options,
    );
    expect(location(r)).toBe(`https://app.example/cb?code=c&state=xyz&${iss}`);
  });
});

describe('renderAuthorizationResponse: fragment', () => {
  it('puts the parameters in the fragment, keeping the registered query', () => {
    const r = renderAuthorizationResponse(
      target('https://app.example/cb?tenant=a', 'fragment'),
      { access_token: 'at', token_type: 'Bearer', expires_in: '3600', id_token: 'h.p.s' },
      options,
    );
    expect(location(r)).toBe(
      `https://app.example/cb?tenant=a#access_token=at&token_type=Bearer&expires_in=3600&id_token=h.p.s&state=xyz&${iss}`,
    );
  });
});

describe('renderAuthorizationResponse: form_post', () => {
  const hostile = '"><script>alert(1)</script>';
  const r = renderAuthorizationResponse(
    { redirectUri: 'https://app.example/cb?a=1&b=2', responseMode: 'form_post', state: hostile },
    { code: 'c1', id_token: 'h.p.s' },
    options,
  );
  const body = html(r);

  it('posts every parameter, iss included, to the redirect_uri', () => {
    expect(body).toContain('<form method="post" action="https://app.example/cb?a=1&amp;b=2">');
    expect(body).toContain('<input type="hidden" name="code" value="c1">');
    expect(body).toContain('<input type="hidden" name="id_token" value="h.p.s">');
    expect(body).toContain('<input type="hidden" name="iss" value="https://idp.example">');
  });

  it('escapes every value', () => {
    expect(body).toContain(
      '<input type="hidden" name="state" value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">',
    );
    expect(body).not.toContain('<script>alert');
  });

  it('auto-submits with the one nonce-bearing script, and works without JS', () => {
    expect(body.match(/<script/g)).toHaveLength(1);
    expect(body).toContain(
      '<script nonce="r4nd0mN0nceValue123">document.forms[0].submit();</script>',
    );
    expect(body).toMatch(/<noscript>[\s\S]*<button type="submit">Continue<\/button><\/noscript>/);
    expect(body).toContain('<meta name="viewport"');
  });

  it('returns a CSP that allows only that script, and no caching', () => {
    expect(r.headers['Content-Security-Policy']).toContain(
      "script-src 'nonce-r4nd0mN0nceValue123'",
    );
    expect(r.headers['Content-Security-Policy']).toContain("default-src 'none'");
    expect(r.headers['Cache-Control']).toBe('no-store');
    expect(r.headers['Content-Type']).toBe('text/html; charset=utf-8');
  });

  it('refuses a nonce that could break out of the header or attribute', () => {
    expect(() =>
      renderAuthorizationResponse(
        target('https://app.example/cb', 'form_post'),
        {},
        {
          ...options,
          scriptNonce: "abc'; script-src *",
        },
      ),
    ).toThrow('invalid CSP nonce');
  });
});
