import { z } from 'zod';

/** Seconds since the epoch, as in JWT NumericDate. */
export const epochSeconds = z.number().int().nonnegative();
export const id = z.string().min(1).max(200);
export const scope = z.string().max(4000);
/** A keyed hash (HMAC-SHA-256, base64url) of a token: tokens are never stored in clear. */
export const tokenHash = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be a base64url SHA-256 MAC');
export const accessTokenFormat = z.enum(['opaque', 'jwt', 'jwe']);
export const claims = z.record(z.string(), z.unknown());
