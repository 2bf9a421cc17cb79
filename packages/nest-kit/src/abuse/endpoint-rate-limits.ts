import { Inject, Injectable, Optional } from '@nestjs/common';
import { CONFIG, type Config } from '@idp/config';
import { InMemorySharedCounter, RateLimiter, type RateRule } from '@idp/cache';
import { OAuthError } from '@idp/oauth-errors';
import { countAbuseRefusal, type RateLimitedEndpoint } from '../metrics/domain-metrics';
import { clientIp } from './client-ip';

const SETTING = {
  token: 'RATE_LIMIT_TOKEN',
  introspect: 'RATE_LIMIT_INTROSPECT',
  revoke: 'RATE_LIMIT_REVOKE',
  register: 'RATE_LIMIT_REGISTER',
  userinfo: 'RATE_LIMIT_USERINFO',
  authorize: 'RATE_LIMIT_AUTHORIZE',
  ssf: 'RATE_LIMIT_SSF',
} as const satisfies Record<RateLimitedEndpoint, keyof Config>;

/**
 * 429 in the OAuth error shape with Retry-After. RFC 6749 has no code for
 * it; `temporarily_unavailable` is the one clients already back off on.
 */
export function rateLimited(retryAfterSeconds: number): OAuthError {
  return new OAuthError('temporarily_unavailable', {
    status: 429,
    description: 'too many requests; slow down',
    headers: { 'Retry-After': String(retryAfterSeconds) },
  });
}

/**
 * The per-endpoint limits of ADR 0016 over one RateLimiter per process: a
 * token bucket per (endpoint, client IP) and per (endpoint, client), each
 * of RATE_LIMIT_<ENDPOINT> requests per second with a burst of
 * RATE_LIMIT_BURST_SECONDS of it; 0 turns an endpoint's limits off.
 */
@Injectable()
export class EndpointRateLimits {
  private readonly rules: Readonly<Record<RateLimitedEndpoint, RateRule | undefined>>;
  private readonly limiter: RateLimiter;
  private readonly trustProxy: number;

  constructor(
    @Inject(CONFIG) config: Config,
    // Unbound only in test harnesses: one process, so a local counter is the shared one.
    @Optional() @Inject(RateLimiter) limiter?: RateLimiter,
  ) {
    this.limiter = limiter ?? new RateLimiter(new InMemorySharedCounter(), { syncMs: 0 });
    this.trustProxy = config.TRUST_PROXY;
    const rule = (rate: number): RateRule | undefined =>
      rate > 0
        ? { ratePerSecond: rate, capacity: Math.max(1, rate * config.RATE_LIMIT_BURST_SECONDS) }
        : undefined;
    this.rules = Object.fromEntries(
      Object.entries(SETTING).map(([endpoint, setting]) => [endpoint, rule(config[setting])]),
    ) as Record<RateLimitedEndpoint, RateRule | undefined>;
  }

  /** The client address the per-IP limits count by (TRUST_PROXY decides whether X-Forwarded-For counts). */
  ipOf(socketAddress: string | undefined, forwardedFor: string | string[] | undefined): string {
    return clientIp(socketAddress, forwardedFor, this.trustProxy);
  }

  /** Throws the 429 when `id` (an IP or a client_id) is over the endpoint's limit. */
  check(endpoint: RateLimitedEndpoint, kind: 'ip' | 'client', id: string): void {
    const rule = this.rules[endpoint];
    if (rule === undefined) return;
    const wait = this.limiter.take(`${endpoint}:${kind}:${id}`, rule);
    if (wait > 0) {
      countAbuseRefusal('rate_limited', endpoint);
      throw rateLimited(wait);
    }
  }

  /** The request did not count against `id` after all (its client authentication failed). */
  refund(endpoint: RateLimitedEndpoint, kind: 'ip' | 'client', id: string): void {
    if (this.rules[endpoint] !== undefined) this.limiter.refund(`${endpoint}:${kind}:${id}`);
  }
}
