import { z } from 'zod';

/** Seconds since the epoch, as in JWT NumericDate. */
export const epochSeconds = z.number().int().nonnegative();
export const id = z.string().min(1).max(200);
export const scope = z.string().max(4000);
/** A keyed hash (HMAC-SHA-256, base64url) of a token: tokens are never stored in clear. */
export const tokenHash = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be a base64url SHA-256 MAC');
export const accessTokenFormat = z.enum(['opaque', 'jwt', 'jwe']);
export const claims = z.record(z.string(), z.unknown());
/** A base64url SHA-256 digest (RFC 7638 JWK thumbprint, RFC 8705 certificate thumbprint). */
const sha256Thumbprint = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be a base64url SHA-256');
/**
 * The `cnf` (confirmation) of a sender-constrained token (RFC 7800): the
 * DPoP key's thumbprint (RFC 9449 6) or the client certificate's (RFC 8705 3).
 */
export const confirmation = z.object({
  jkt: sha256Thumbprint.optional(),
  'x5t#S256': sha256Thumbprint.optional(),
});
export type Confirmation = z.output<typeof confirmation>;
