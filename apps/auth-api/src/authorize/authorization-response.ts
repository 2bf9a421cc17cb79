import { NO_STORE, renderOAuthError } from '@idp/oauth-errors';
import { escapeHtml, formPostCsp, hiddenInput, layout, pageHeaders } from '../interaction/html';
import type { AuthorizationError } from './authorization-error';
import type { AuthorizationRedirect } from './types';

export type AuthorizationResponse =
  | {
      readonly kind: 'redirect';
      readonly location: string;
      readonly headers: Record<string, string>;
    }
  | { readonly kind: 'html'; readonly body: string; readonly headers: Record<string, string> };

export interface AuthorizationResponseOptions {
  /** Our issuer identifier, sent as `iss` in every response (RFC 9207 2). */
  readonly issuer: string;
  /**
   * A fresh CSP nonce (base64/base64url, >= 16 chars) for the form_post
   * auto-submit script; the returned headers carry the matching CSP.
   */
  readonly scriptNonce: string;
}

/** Response parameters (code, id_token, access_token, token_type, expires_in, scope, ...). */
export type ResponseParams = Readonly<Record<string, string | undefined>>;

/**
 * Sends a successful authorization response to a validated redirect target.
 * `state` comes from the target and `iss` from the options; the same names in
 * `params` are ignored, so neither can be forged or duplicated.
 */
export function renderAuthorizationResponse(
  target: AuthorizationRedirect,
  params: ResponseParams,
  options: AuthorizationResponseOptions,
): AuthorizationResponse {
  const entries: [string, string][] = [];
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && name !== 'state' && name !== 'iss') entries.push([name, value]);
  }
  if (target.state !== undefined) entries.push(['state', target.state]);
  entries.push(['iss', options.issuer]);
  return encode(target, entries, options.scriptNonce);
}

/**
 * Sends an error to the client (RFC 6749 4.1.2.1, 4.2.2.1). A server_error's
 * real description stays in the logs (`renderOAuthError` hides it).
 */
export function renderAuthorizationError(
  err: AuthorizationError,
  options: AuthorizationResponseOptions,
): AuthorizationResponse {
  const { body } = renderOAuthError(err);
  return renderAuthorizationResponse(
    err.redirect,
    {
      error: body.error,
      error_description:
        body.error_description === undefined ? undefined : safeDescription(body.error_description),
    },
    options,
  );
}

/** RFC 6749 4.1.2.1: error_description is limited to %x20-21 / %x23-5B / %x5D-7E. */
function safeDescription(text: string): string {
  return text.replace(/[^\x20-\x21\x23-\x5B\x5D-\x7E]/g, '?');
}

function encode(
  target: AuthorizationRedirect,
  entries: [string, string][],
  scriptNonce: string,
): AuthorizationResponse {
  assertSafeUri(target.redirectUri);
  // application/x-www-form-urlencoded, as RFC 6749 4.1.2 and Appendix B require.
  const encoded = new URLSearchParams(entries).toString();
  // RFC 6749 3.1.2: a redirect_uri has no fragment; drop one rather than nest two.
  const base = target.redirectUri.split('#')[0] as string;
  const headers = NO_STORE;
  switch (target.responseMode) {
    case 'query':
      return { kind: 'redirect', location: appendQuery(base, encoded), headers };
    case 'fragment':
      return { kind: 'redirect', location: `${base}#${encoded}`, headers };
    case 'form_post':
      return {
        kind: 'html',
        body: formPostPage(target.redirectUri, entries, checkNonce(scriptNonce)),
        headers: pageHeaders(formPostCsp(scriptNonce)),
      };
  }
}

/**
 * RFC 6749 3.1.2: the registered query "MUST be retained". Appending to the
 * string, rather than going through URL.searchParams, keeps its exact
 * encoding (searchParams would re-encode it, e.g. `%20` as `+`).
 */
export function appendQuery(uri: string, encoded: string): string {
  if (!uri.includes('?')) return `${uri}?${encoded}`;
  return uri.endsWith('?') || uri.endsWith('&') ? `${uri}${encoded}` : `${uri}&${encoded}`;
}

/**
 * OAuth 2.0 Form Post Response Mode 2: an auto-submitting POST form. Without
 * JavaScript the <noscript> button does the same. The action is the
 * redirect_uri as registered (query included).
 */
function formPostPage(action: string, entries: [string, string][], nonce: string): string {
  const fields = entries.map(([name, value]) => hiddenInput(name, value)).join('\n');
  const body = [
    `<form method="post" action="${escapeHtml(action)}">`,
    fields,
    '<noscript><p>JavaScript is disabled. Select Continue to return to the application.</p>',
    '<button type="submit">Continue</button></noscript>',
    '</form>',
  ].join('\n');
  const script = `<script nonce="${escapeHtml(nonce)}">document.forms[0].submit();</script>`;
  return layout('Returning to the application', body, script);
}

/** Registration should have refused these; a redirect must never run script. */
function assertSafeUri(uri: string): void {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(uri)?.[1]?.toLowerCase();
  if (scheme === undefined || ['javascript', 'data', 'vbscript', 'file'].includes(scheme)) {
    throw new Error('refusing to send an authorization response to an unsafe redirect_uri');
  }
}

function checkNonce(nonce: string): string {
  // It goes into a header and an attribute: base64 characters only.
  if (!/^[A-Za-z0-9+/_=-]{16,}$/.test(nonce)) throw new Error('invalid CSP nonce');
  return nonce;
}
