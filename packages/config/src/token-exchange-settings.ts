import { z } from 'zod';

/** Asymmetric JWS algorithms only: a shared HMAC key or `none` can never verify a trusted issuer. */
const trustedAlg = z.enum(['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA']);

/** One issuer whose JWTs /token accepts as RFC 8693 subject tokens. */
const trustedIssuer = z.object({
  issuer: z.string().url(),
  jwks_uri: z.string().url(),
  algs: z.array(trustedAlg).min(1).default(['RS256', 'ES256']),
});
export type TrustedIssuer = z.output<typeof trustedIssuer>;

/** RFC 8693 token exchange (ADR 0033). */
export const tokenExchangeSettings = {
  TOKEN_EXCHANGE_TRUSTED_ISSUERS: {
    schema: z
      .string()
      .default('[]')
      .transform((s, ctx) => {
        try {
          return JSON.parse(s) as unknown;
        } catch {
          ctx.addIssue({ code: 'custom', message: 'must be a JSON array' });
          return z.NEVER;
        }
      })
      .pipe(z.array(trustedIssuer).max(20)),
    description:
      'token-service: issuers whose JWTs `/token` accepts as RFC 8693 subject tokens (`subject_token_type` `urn:ietf:params:oauth:token-type:jwt`), a JSON array of `{ "issuer", "jwks_uri", "algs"? }` (algs from RS256, PS256, ES256, ES384, EdDSA; default RS256 and ES256). The JWT must be signed by a key at `jwks_uri` (fetched through the guarded outbound client, so OUTBOUND_ALLOW applies), carry `iss` = issuer, an `aud` naming ISSUER, `exp`, and a `sub` that is one of our users: a trusted issuer vouches for our users, it does not bring its own (docs/adr/0033-token-exchange.md). Empty (the default): only our own tokens can be exchanged.',
  },
} as const;
