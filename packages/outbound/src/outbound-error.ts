/**
 * Why an outbound call failed, without anything of the request (a logout
 * token, a query) in the message: callers record it (a delivery's
 * lastError) and may log it.
 */
export type OutboundFailure =
  /** The policy refuses the target (an internal address or name): retrying cannot help. */
  | 'refused'
  /** Not an http(s) URL. */
  | 'invalid_url'
  /** A 3xx: redirects are never followed. */
  | 'redirect'
  | 'timeout'
  | 'too_large'
  /** Refused connection, reset, DNS failure, TLS error… */
  | 'network';

export class OutboundError extends Error {
  override readonly name = 'OutboundError';

  constructor(
    readonly reason: OutboundFailure,
    message: string,
  ) {
    super(message);
  }

  /** The same call can never succeed while the configuration stays as it is. */
  get permanent(): boolean {
    return this.reason === 'refused' || this.reason === 'invalid_url';
  }
}
