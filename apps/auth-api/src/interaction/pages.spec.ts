import { InvalidRedirectUri, InvalidRequest } from '@idp/oauth-errors';
import { FORM_FIELDS, renderConsentPage, renderErrorPage, renderLoginPage } from './pages';

const hostile = '"><script>alert(1)</script>';

describe('renderLoginPage', () => {
  const input = {
    action: '/interaction/i-1/login',
    interactionId: 'i-1',
    csrf: 'tok.en',
    clientName: 'Acme <Corp>',
  };
  const page = renderLoginPage(input);

  it('posts username, password, csrf and the interaction id', () => {
    expect(page).toContain('<form method="post" action="/interaction/i-1/login">');
    expect(page).toContain('<input type="hidden" name="csrf" value="tok.en">');
    expect(page).toContain('<input type="hidden" name="interaction_id" value="i-1">');
    expect(page).toMatch(
      /<input id="username" name="username" type="text" autocomplete="username"/,
    );
    expect(page).toMatch(
      /<input id="password" name="password" type="password"\s+autocomplete="current-password"/,
    );
    expect(FORM_FIELDS).toMatchObject({ username: 'username', password: 'password', csrf: 'csrf' });
  });

  it('ties labels to inputs', () => {
    expect(page).toContain('<label for="username">Username</label>');
    expect(page).toContain('<label for="password">Password</label>');
  });

  it('names the client, escaped', () => {
    expect(page).toContain('Sign in to continue to Acme &lt;Corp&gt;');
  });

  it('needs no script and has no error area without an error', () => {
    expect(page).not.toContain('<script');
    expect(page).not.toContain('role="alert"');
    expect(page).toContain('<meta name="viewport"');
  });

  it('shows "wrong username or password" tied to the fields', () => {
    const failed = renderLoginPage({ ...input, error: 'invalid_credentials', username: 'alice' });
    expect(failed).toContain(
      '<p class="error" id="login-error" role="alert">Wrong username or password.</p>',
    );
    expect(failed).toContain('aria-describedby="login-error"');
    expect(failed).toContain('value="alice"');
  });

  it('escapes every interpolated value', () => {
    const evil = renderLoginPage({
      action: hostile,
      interactionId: hostile,
      csrf: hostile,
      clientName: hostile,
      username: hostile,
    });
    expect(evil).not.toContain('<script>');
    expect(evil).not.toMatch(/value=""/);
    expect(evil.match(/&quot;&gt;&lt;script&gt;/g)).toHaveLength(5);
  });
});

describe('renderConsentPage', () => {
  const page = renderConsentPage({
    action: '/interaction/i-1/consent',
    interactionId: 'i-1',
    csrf: 'tok.en',
    clientName: 'Acme',
    scopes: ['openid', 'email', 'offline_access', 'api.read'],
  });

  it('lists each scope with a human description', () => {
    expect(page).toContain('<h1>Acme wants to:</h1>');
    expect(page).toContain('<li>See your email address <small>(<code>email</code>)</small></li>');
    expect(page).toContain('Keep access while you are not using the application');
    expect(page).toContain(
      '<li>Access &quot;api.read&quot; <small>(<code>api.read</code>)</small></li>',
    );
  });

  it('offers Allow and Deny in one CSRF-protected form', () => {
    expect(page.match(/<form /g)).toHaveLength(1);
    expect(page).toContain('<input type="hidden" name="csrf" value="tok.en">');
    expect(page).toContain('<input type="hidden" name="interaction_id" value="i-1">');
    expect(page).toContain('<button type="submit" name="decision" value="allow">Allow</button>');
    expect(page).toMatch(
      /<button type="submit" class="secondary" name="decision" value="deny">Deny<\/button>/,
    );
    expect(page).not.toContain('<script');
  });

  it('escapes hostile client names and scopes', () => {
    const evil = renderConsentPage({
      action: '/c',
      interactionId: 'i',
      csrf: 't',
      clientName: hostile,
      scopes: [hostile, 'toString', '__proto__'],
    });
    expect(evil).not.toContain('<script>');
    expect(evil).toContain('Access &quot;toString&quot;');
    expect(evil).toContain('Access &quot;__proto__&quot;');
  });

  it('lists the user claims a claims request (OIDC Core 5.5) asks for, escaped', () => {
    const withClaims = renderConsentPage({
      action: '/c',
      interactionId: 'i',
      csrf: 't',
      clientName: 'Acme',
      scopes: ['openid'],
      claims: ['email', hostile],
    });
    expect(withClaims).toContain(
      '<li>See these details of your account: <code>email</code>, <code>&quot;&gt;&lt;script&gt;',
    );
    expect(withClaims).not.toContain('<script>');
    expect(page).not.toContain('See these details');
  });
});

describe('renderErrorPage', () => {
  it('shows the error and its description, escaped', () => {
    const { status, body } = renderErrorPage(new InvalidRequest(`bad value ${hostile}`));
    expect(status).toBe(400);
    expect(body).toContain('<code>invalid_request</code>');
    expect(body).toContain('bad value &quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(body).not.toContain('<script');
  });

  it('explains a bad redirect_uri', () => {
    const { body } = renderErrorPage(new InvalidRedirectUri());
    expect(body).toContain('<code>invalid_redirect_uri</code>');
    expect(body).toContain('did not match any of the client&#39;s registered redirect_uris');
  });

  it('asks to try again shortly, with a 503 and Retry-After, when storage is unavailable', () => {
    const lost = Object.assign(new Error('Connection terminated unexpectedly'), {
      code: 'ECONNRESET',
    });
    const { status, body, headers } = renderErrorPage(lost);
    expect(status).toBe(503);
    expect(headers['Retry-After']).toMatch(/^[0-9]+$/);
    expect(body).toContain('Try again shortly');
    expect(body).toContain('<code>temporarily_unavailable</code>');
    expect(body).not.toMatch(/ECONNRESET|terminated/);
  });

  it('never shows a stack trace or internal message', () => {
    const err = new Error('connect ECONNREFUSED 10.0.0.3:5432');
    const { status, body } = renderErrorPage(err);
    expect(status).toBe(500);
    expect(body).toContain('<code>server_error</code>');
    expect(body).toContain('an unexpected error occurred');
    expect(body).not.toMatch(/ECONNREFUSED|10\.0\.0\.3|at Object\.|\.ts:/);
  });
});
