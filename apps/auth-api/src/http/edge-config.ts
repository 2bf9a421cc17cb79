import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '@idp/config';
import { decodeSecret, deriveKey } from '@idp/crypto';
import { SCOPES_SUPPORTED } from '../discovery/discovery-document';
import type { AuthorizationRequestOptions } from '../authorize/authorization-request';

/**
 * What every auth-api endpoint needs from configuration, computed once: our
 * public URLs, cookie scoping, and the keys of the edge (CSRF tokens, the
 * session cookie MAC, the interaction cookie). The keys are HKDF sub-keys of
 * TOKEN_HASH_KEY, independent of token-service's (other purposes); all
 * auth-api replicas must share the secret, so any replica can read a cookie
 * another one set and auth-api stays stateless.
 */
@Injectable()
export class EdgeConfig {
  /** Exactly as configured: it is compared character for character (RFC 9207 2.4, OIDC Discovery 4.3). */
  readonly issuer: string;
  readonly secureCookies: boolean;
  readonly csrfKey: Buffer;
  readonly sessionCookieKey: Buffer;
  readonly interactionKey: Buffer;
  /** Keys the store's handle of a pushed request_uri (RFC 9126), so the store never holds one redeemable. */
  readonly pushedRequestKey: Buffer;
  /** REQUIRE_PUSHED_AUTHORIZATION_REQUESTS: /authorize takes requests only through POST /par. */
  readonly requirePushedRequests: boolean;
  /** Keys the user-code throttle's entries: a short code must not sit in the store hashed without a key. */
  readonly deviceThrottleKey: Buffer;
  readonly requestOptions: AuthorizationRequestOptions;
  /** Reverse proxies whose X-Forwarded-For entries are believed (TRUST_PROXY, ADR 0016). */
  readonly trustProxy: number;
  /** The issuer without a trailing slash: endpoint URLs are `${base}/token`. */
  private readonly base: string;
  /** The issuer's path ('' at the root), where a reverse proxy mounts us. */
  private readonly basePath: string;

  constructor(@Inject(CONFIG) config: Config) {
    if (!config.TOKEN_HASH_KEY) throw new Error('TOKEN_HASH_KEY is required by auth-api');
    const secret = decodeSecret(config.TOKEN_HASH_KEY);
    const issuer = new URL(config.ISSUER);
    this.issuer = config.ISSUER;
    this.base = config.ISSUER.replace(/\/+$/, '');
    this.basePath = issuer.pathname.replace(/\/+$/, '');
    this.secureCookies = issuer.protocol === 'https:';
    this.csrfKey = deriveKey(secret, 'auth-api:csrf');
    this.sessionCookieKey = deriveKey(secret, 'auth-api:session-cookie');
    this.interactionKey = deriveKey(secret, 'auth-api:interaction');
    this.pushedRequestKey = deriveKey(secret, 'auth-api:pushed-request');
    this.requirePushedRequests = config.REQUIRE_PUSHED_AUTHORIZATION_REQUESTS;
    this.deviceThrottleKey = deriveKey(secret, 'auth-api:device-throttle');
    this.trustProxy = config.TRUST_PROXY;
    this.requestOptions = {
      allowPlainPkce: config.ALLOW_PLAIN_PKCE,
      supportedScopes: SCOPES_SUPPORTED,
    };
  }

  /** The public URL of one of our paths, e.g. `url('/token')`. */
  url(path: string): string {
    return `${this.base}${path}`;
  }

  /** A cookie Path as the browser sees it (below the issuer's path). */
  cookiePath(path = '/'): string {
    return path === '/' ? this.basePath || '/' : `${this.basePath}${path}`;
  }
}
