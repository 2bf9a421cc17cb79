import { z } from 'zod';
import { offByDefault, positiveInt } from './setting-schemas';

/**
 * Algorithms a DPoP proof may be signed with: asymmetric only (RFC 9449 4.2),
 * the same list as @idp/crypto's DPOP_ALGS, which the verifier enforces again.
 */
const dpopAlg = z.enum(['ES256', 'ES384', 'EdDSA', 'RS256', 'PS256']);

/** DPoP (RFC 9449, ADR 0027): proof checks at auth-api and server nonces. */
export const dpopSettings = {
  DPOP_SIGNING_ALGS: {
    schema: z
      .string()
      .default('ES256,EdDSA,RS256,PS256')
      .transform((s) =>
        s
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean),
      )
      .pipe(z.array(dpopAlg).min(1)),
    description:
      'auth-api: algorithms accepted for DPoP proofs (RFC 9449), comma-separated, from ES256, ES384, EdDSA, RS256, PS256 (never `none` or an HMAC). Advertised as `dpop_signing_alg_values_supported` and in the `algs` of DPoP challenges.',
  },
  DPOP_PROOF_MAX_AGE: {
    schema: positiveInt.max(600).default(60),
    description:
      "auth-api: seconds a DPoP proof's `iat` may lie in the past. A proof's jti is remembered (Redis in the distributed mode, so across every auth-api replica) for this plus DPOP_CLOCK_SKEW, and accepted once.",
  },
  DPOP_CLOCK_SKEW: {
    schema: z.coerce.number().int().min(0).max(60).default(5),
    description:
      "auth-api: seconds a DPoP proof's `iat` may lie in the future (client clock skew).",
  },
  DPOP_NONCE: {
    schema: offByDefault,
    description:
      'auth-api: require a server nonce in every DPoP proof (RFC 9449 8, 9): a proof without the current one is answered `use_dpop_nonce` with a fresh `DPoP-Nonce` header. Nonces are an HMAC of the time window under an HKDF sub-key of TOKEN_HASH_KEY (purpose `auth-api:dpop-nonce`), so every replica issues and accepts the same ones without shared state.',
  },
  MTLS_CLIENT_CERT_HEADER: {
    schema: z
      .string()
      .regex(/^[A-Za-z0-9-]+$/, 'must be an HTTP header name')
      .transform((h) => h.toLowerCase())
      .optional(),
    description:
      'auth-api: the request header in which a TLS-terminating proxy forwards the client certificate (URL-encoded PEM, e.g. nginx `$ssl_client_escaped_cert`), for certificate-bound access tokens (RFC 8705). Read only on connections from MTLS_TRUSTED_PROXIES; unset: off, and not advertised in discovery.',
  },
  MTLS_TRUSTED_PROXIES: {
    schema: z
      .string()
      .default('')
      .transform((s) =>
        s
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.union([z.ipv4(), z.ipv6()]))),
    description:
      'auth-api: IP addresses of the TLS-terminating proxies whose MTLS_CLIENT_CERT_HEADER is believed, comma-separated (the TCP peer must be one of them; from anyone else the header is ignored, since a client could forge it). Required when MTLS_CLIENT_CERT_HEADER is set.',
  },
  DPOP_NONCE_LIFETIME: {
    schema: positiveInt.max(3600).default(300),
    description:
      'auth-api: seconds per DPoP nonce window. The current and the previous window are accepted, so a nonce lives one to two windows.',
  },
} as const;
