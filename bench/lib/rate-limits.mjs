// The rate limits (ADR 0016) a benchmark runs ours with. A benchmark is one
// client at thousands of requests per second from one address: far past the
// defaults, which would answer it 429. So by default every limit is on but
// out of reach (the limiter runs on every request, its cost is in every
// figure, it never refuses); BENCH_RATE_LIMITS=off turns them off, to
// measure that cost (docs/BENCHMARKS.md, "Rate limits on the hot path").
const ENDPOINTS = ['TOKEN', 'INTROSPECT', 'REVOKE', 'REGISTER', 'USERINFO', 'AUTHORIZE'];
const OUT_OF_REACH = '1000000';
const LOGIN_CONCURRENCY_OUT_OF_REACH = '1000'; // the setting's maximum (ADR 0016)

/** @returns {Record<string, string>} */
export function benchRateLimits(mode = process.env.BENCH_RATE_LIMITS ?? 'on') {
  if (mode !== 'on' && mode !== 'off') {
    throw new Error(`BENCH_RATE_LIMITS must be on or off, not ${mode}`);
  }
  const value = mode === 'on' ? OUT_OF_REACH : '0';
  return {
    ...Object.fromEntries(ENDPOINTS.map((e) => [`RATE_LIMIT_${e}`, value])),
    // The code flow signs in 8 users at once from one address; the default (2 per IP)
    // answers the rest 429. Not a rate (it cannot be 0): its maximum keeps it out of reach.
    LOGIN_CONCURRENCY_PER_IP: LOGIN_CONCURRENCY_OUT_OF_REACH,
  };
}
