// The rate limits (ADR 0016) a benchmark runs ours with. A benchmark is one
// client at thousands of requests per second from one address: far past the
// defaults, which would answer it 429. So by default every limit is on but
// out of reach (the limiter runs on every request, its cost is in every
// figure, it never refuses); BENCH_RATE_LIMITS=off turns them off, to
// measure that cost (docs/BENCHMARKS.md, "Rate limits on the hot path").
// SSF: the Shared Signals API (ssf-fanout creates a stream per receiver from one address).
const ENDPOINTS = ['TOKEN', 'INTROSPECT', 'REVOKE', 'REGISTER', 'USERINFO', 'AUTHORIZE', 'SSF'];
const OUT_OF_REACH = '1000000';
// Each setting's maximum (packages/config/src/abuse-control-settings.ts, ADR 0016).
const LOGIN_LIMITS_OUT_OF_REACH = {
  LOGIN_CONCURRENCY_PER_IP: '1000',
  LOGIN_THROTTLE_FREE_FAILURES: '1000',
  LOGIN_THROTTLE_IP_FREE_FAILURES: '100000',
  // Password checks: as many at once as libuv runs scrypt for nop (4 threads), and a queued
  // one may wait until just inside auth-api's 5 s RPC deadline instead of 2 s: the 8 flows'
  // checks queue behind 2 at a time on two busy cores and were answered 503.
  PASSWORD_CHECK_CONCURRENCY: '4',
  PASSWORD_CHECK_QUEUE_TIMEOUT_MS: '4000',
};

/** @returns {Record<string, string>} */
export function benchRateLimits(mode = process.env.BENCH_RATE_LIMITS ?? 'on') {
  if (mode !== 'on' && mode !== 'off') {
    throw new Error(`BENCH_RATE_LIMITS must be on or off, not ${mode}`);
  }
  const value = mode === 'on' ? OUT_OF_REACH : '0';
  return {
    ...Object.fromEntries(ENDPOINTS.map((e) => [`RATE_LIMIT_${e}`, value])),
    // The code flow signs in the one bench user 8 times at once from one address. Each
    // sign-in in flight counts as an attempt against the username and the IP until it
    // succeeds, and at most 2 run at once per IP: the defaults answer the rest 429. These
    // are not rates (0 would mean "none"): their maxima keep them out of reach.
    ...LOGIN_LIMITS_OUT_OF_REACH,
  };
}
