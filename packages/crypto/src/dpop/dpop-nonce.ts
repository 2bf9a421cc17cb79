import { constantTimeEqual, hmacSha256 } from '../keyed-hash';

/**
 * Server-provided DPoP nonces (RFC 9449 8, 9) without shared state: a nonce
 * is HMAC(key, window) truncated, where window = floor(now / lifetime). The
 * current and the previous window are accepted, so a nonce lives between one
 * and two lifetimes; every replica derives the same key from configuration
 * and so issues and accepts the same nonces.
 */
export class DpopNonces {
  constructor(
    private readonly key: Buffer,
    /** Seconds per window. */
    private readonly lifetime: number,
  ) {}

  /** The nonce to hand out now (`DPoP-Nonce`). */
  current(now: number): string {
    return this.forWindow(Math.floor(now / this.lifetime));
  }

  /** Whether `nonce` is the current or the previous window's. */
  accepts(nonce: string | undefined, now: number): boolean {
    if (nonce === undefined) return false;
    const window = Math.floor(now / this.lifetime);
    // Both compared, so the timing does not tell which window matched.
    const current = constantTimeEqual(nonce, this.forWindow(window));
    const previous = constantTimeEqual(nonce, this.forWindow(window - 1));
    return current || previous;
  }

  private forWindow(window: number): string {
    return hmacSha256(this.key, `dpop-nonce:${window}`).subarray(0, 18).toString('base64url');
  }
}
