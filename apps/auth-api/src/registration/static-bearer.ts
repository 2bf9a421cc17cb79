import { constantTimeEqualBytes, sha256 } from '@idp/crypto';
import { InvalidToken } from '@idp/oauth-errors';

/**
 * A configured Bearer credential (INITIAL_ACCESS_TOKEN, ADMIN_TOKEN). Both
 * sides are hashed before the constant-time comparison, so neither the
 * contents nor the length of the configured value leak through timing.
 */
export class StaticBearer {
  private readonly digest: Buffer | undefined;

  constructor(configured: string | undefined) {
    this.digest = configured === undefined ? undefined : sha256(configured);
  }

  /** Unset in the configuration: the feature it guards is off. */
  get enabled(): boolean {
    return this.digest !== undefined;
  }

  matches(token: string | undefined): boolean {
    if (this.digest === undefined || token === undefined) return false;
    return constantTimeEqualBytes(sha256(token), this.digest);
  }

  /**
   * Throws 401 invalid_token with its Bearer challenge (RFC 6750 3.1) unless
   * the Authorization header carries this credential. A missing header gets
   * the same answer as a wrong one, so clients see one failure mode.
   */
  verify(authorization: string | undefined, description: string): void {
    if (!this.matches(bearerFrom(authorization))) throw new InvalidToken(description);
  }
}

/** RFC 6750 2.1: `Bearer <b64token>`, the scheme case-insensitive (RFC 9110 11.1); else undefined. */
export function bearerFrom(authorization: string | undefined): string | undefined {
  const match = /^\s*bearer +([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(authorization ?? '');
  return match?.[1];
}
