import { offByDefault, positiveInt } from './setting-schemas';

/**
 * Pushed authorization requests (RFC 9126, ADR 0028).
 * Part of the one settings table (defaults.ts), spread where these rows
 * always were, so docs/configuration.md lists them in the same place.
 */
export const pushedAuthorizationRequestSettings = {
  PAR_REQUEST_URI_TTL: {
    schema: positiveInt.max(600).default(60),
    description:
      'auth-api: seconds a `request_uri` from the pushed authorization request endpoint (`POST /par`, RFC 9126) stays redeemable at /authorize (once). Short: the client redirects the browser right after pushing.',
  },
  REQUIRE_PUSHED_AUTHORIZATION_REQUESTS: {
    schema: offByDefault,
    description:
      'auth-api: `true` makes every client send its authorization request through `POST /par` (RFC 9126 5): /authorize then refuses a request without a pushed `request_uri`, and discovery says `require_pushed_authorization_requests: true`. `false`: only clients registered with `require_pushed_authorization_requests` must.',
  },
} as const;
