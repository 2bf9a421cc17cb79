import { escapeHtml, layout } from '../interaction/html';

/**
 * The documented demo client of examples/seed.json. Its secret is public on
 * purpose (README); the page names it for the seed only and never reads a
 * registered client, so no real secret can ever appear here.
 */
export const DEMO_CLIENT = { id: 'demo-service', secret: 'demo-service-secret-change-me' } as const;

/**
 * `GET /` of the issuer: what this server is and where to start, instead of a
 * bare 404 for the first person who opens the URL. Static per process: it
 * depends on ISSUER only.
 */
export function landingPage(issuer: string): string {
  const base = issuer.replace(/\/+$/, '');
  const discovery = `${base}/.well-known/openid-configuration`;
  const jwks = `${base}/jwks`;
  const signals = `${base}/.well-known/ssf-configuration`;
  const curl =
    `curl -u ${DEMO_CLIENT.id}:${DEMO_CLIENT.secret} ` +
    `-d grant_type=client_credentials -d scope=reports:read ${base}/token`;
  const link = (url: string) => `<a href="${escapeHtml(url)}"><code>${escapeHtml(url)}</code></a>`;
  return layout(
    'OpenID Provider',
    [
      '<h1>OpenID Provider</h1>',
      `<p>Issuer: <code>${escapeHtml(issuer)}</code></p>`,
      `<p>Discovery: ${link(discovery)}</p>`,
      `<p>Signing keys (JWKS): ${link(jwks)}</p>`,
      `<p>Shared Signals (SSF) transmitter: ${link(signals)}</p>`,
      '<h2>Try it</h2>',
      '<p>With the demo seed (<code>SEED_FILE=examples/seed.json</code>), get an access token:</p>',
      `<pre><code>${escapeHtml(curl)}</code></pre>`,
      '<p>Or point any OpenID Connect client at the issuer.</p>',
    ].join('\n'),
  );
}
