import { sha256 } from '@idp/crypto';

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes text for an HTML text node or a quoted attribute value (OWASP XSS
 * prevention rules 1 and 2). Every value we interpolate goes through it; our
 * templates always quote attributes, and never interpolate into a script,
 * style, URL-scheme position or unquoted attribute.
 */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** The only stylesheet: inline, so pages load no external asset, allowed by hash in the CSP. */
export const STYLE = [
  'body{font-family:system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d1f23}',
  'main{max-width:26rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:8px}',
  'h1{font-size:1.4rem;margin-top:0}label{display:block;margin:1rem 0 .25rem}',
  'input{width:100%;box-sizing:border-box;padding:.6rem;font-size:1rem}',
  'button{margin-top:1.25rem;padding:.6rem 1.2rem;font-size:1rem;cursor:pointer}',
  '.error{color:#a4000f;background:#fdecee;padding:.6rem;border-radius:4px}',
  '.secondary{background:none;border:1px solid #888}code{word-break:break-all}',
].join('');

const STYLE_HASH = `'sha256-${sha256(STYLE).toString('base64')}'`;

/**
 * CSP for our pages: nothing loads, no script runs. `form-action` is left out
 * on purpose: browsers apply it to the redirects after a POST, and the login
 * and consent POSTs end in a redirect to the client's redirect_uri.
 */
export const PAGE_CSP = `default-src 'none'; style-src ${STYLE_HASH}; base-uri 'none'; frame-ancestors 'none'`;

/**
 * CSP for the logout pages that load the relying parties' front-channel
 * logout URIs (OIDC Front-Channel Logout 1.0 section 3): PAGE_CSP plus
 * `frame-src` for exactly those origins. Origins come from URL parsing, so
 * they hold no space, comma or semicolon that could add a directive.
 */
export function frameCsp(frameOrigins: readonly string[]): string {
  if (frameOrigins.length === 0) return PAGE_CSP;
  return `${PAGE_CSP}; frame-src ${frameOrigins.join(' ')}`;
}

/** CSP for the form_post page: the one inline script, allowed by the caller's nonce. */
export function formPostCsp(scriptNonce: string): string {
  return `default-src 'none'; script-src 'nonce-${scriptNonce}'; style-src ${STYLE_HASH}; base-uri 'none'; frame-ancestors 'none'`;
}

/**
 * Headers for every page we render: pages carry CSRF tokens, codes or
 * tokens, so they are never cached, framed (clickjacking a consent button) or
 * leaked through Referer.
 */
export function pageHeaders(csp: string = PAGE_CSP): Record<string, string> {
  return {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': csp,
    'Cache-Control': 'no-store',
    Pragma: 'no-cache',
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
  };
}

/**
 * Page shell. `title` is text (escaped here); `body`, `tail` (after main) and
 * `head` (extra head elements) are markup the caller built with escapeHtml.
 */
export function layout(title: string, body: string, tail = '', head = ''): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="robots" content="noindex, nofollow">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    ...(head === '' ? [] : [head]),
    '</head>',
    `<body><main>${body}</main>${tail}</body>`,
    '</html>',
  ].join('\n');
}

export function hiddenInput(name: string, value: string): string {
  return `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;
}
