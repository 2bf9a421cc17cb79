import { list, positiveInt } from './setting-schemas';

/**
 * Outbound calls to registered addresses (packages/outbound's guarded
 * client): which internal hosts they may reach, deadlines, response size.
 * Part of the one settings table (defaults.ts), spread where these rows
 * always were, so docs/configuration.md lists them in the same place.
 */
export const outboundSettings = {
  OUTBOUND_ALLOW: {
    schema: list.default([]),
    description:
      'Hosts and address blocks that outbound calls (back-channel logout POSTs, jwks_uri fetches) may reach although they are internal, comma-separated: a host name (`rp.internal`), `*.domain`, an IP address or a CIDR block (`10.0.0.0/8`, `fd00::/8`). Otherwise every call, and every registered backchannel_logout_uri and jwks_uri, must go to a public address: loopback, private (RFC 1918, ULA), link-local, CGNAT, multicast, unspecified and the other special-purpose blocks are refused, and so are names such as `*.internal`, `*.local`, `*.svc` and single-label names. Loopback is also allowed when ISSUER itself is a loopback URL (local development, tests). For development and tests only; a malformed entry stops the process (docs/security.md).',
  },
  OUTBOUND_TIMEOUT_MS: {
    schema: positiveInt.max(60_000).default(5000),
    description:
      'Deadline of an outbound call other than a back-channel logout POST (which has BACKCHANNEL_TIMEOUT_MS): connect, response and body, e.g. fetching the jwks_uri of a client.',
  },
  OUTBOUND_CONNECT_TIMEOUT_MS: {
    schema: positiveInt.max(60_000).default(3000),
    description:
      'Deadline for opening the connection (TCP and TLS) of any outbound call; the deadline of the call still bounds the whole exchange.',
  },
  OUTBOUND_MAX_RESPONSE_BYTES: {
    schema: positiveInt.max(10 * 1024 * 1024).default(256 * 1024),
    description:
      'Largest response body an outbound call reads (a jwks_uri document; a back-channel logout answer, which is discarded). A larger one fails the call.',
  },
} as const;
