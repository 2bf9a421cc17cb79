import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createAuthApi } from '../http/auth-api.fixtures';
import { DEMO_CLIENT, landingPage } from './landing-page';

describe('GET / (landing page)', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createAuthApi({});
  });
  afterAll(() => app.close());

  it('is an HTML page, not a JSON 404, with the page security headers', async () => {
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.body).toMatch(/^<!DOCTYPE html>/);
  });

  it('names the issuer and links discovery and the JWKS at the issuer', async () => {
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.body).toContain('<code>https://idp.example.com</code>');
    expect(res.body).toContain(
      '<a href="https://idp.example.com/.well-known/openid-configuration">',
    );
    expect(res.body).toContain('<a href="https://idp.example.com/jwks">');
    expect(res.body).toContain('<a href="https://idp.example.com/.well-known/ssf-configuration">');
  });

  it('shows a client_credentials curl with the documented demo client only', async () => {
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.body).toContain(
      'curl -u demo-service:demo-service-secret-change-me -d grant_type=client_credentials',
    );
    expect(res.body).toContain('https://idp.example.com/token');
    expect(DEMO_CLIENT.secret).toMatch(/change-me$/);
  });

  it('escapes the issuer and joins paths without a double slash', () => {
    const page = landingPage('https://idp.example.com/<x>/');
    expect(page).toContain('https://idp.example.com/&lt;x&gt;/.well-known/openid-configuration');
    expect(page).not.toContain('<x>');
  });

  it('answers only GET / (other paths keep their OAuth 404)', async () => {
    const res = await app.inject({ method: 'GET', url: '/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
  });
});
