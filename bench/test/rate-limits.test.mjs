// The rate limits the bench runs ours with must let every scenario's load through:
// a limit in reach answers 429 and fails the row (the code flow's 8 concurrent
// sign-ins from one address met LOGIN_CONCURRENCY_PER_IP's default of 2).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { benchRateLimits } from '../lib/rate-limits.mjs';
import { FLOW_CONCURRENCY } from '../scenarios/codeflow.mjs';

test('sign-ins of one user at once from one address: the code flow fits under every login limit', () => {
  for (const mode of ['on', 'off']) {
    const limits = benchRateLimits(mode);
    for (const name of [
      'LOGIN_CONCURRENCY_PER_IP',
      'LOGIN_THROTTLE_FREE_FAILURES',
      'LOGIN_THROTTLE_IP_FREE_FAILURES',
    ]) {
      const limit = Number(limits[name]);
      assert.ok(limit >= FLOW_CONCURRENCY, `${mode}: ${name} ${limit} < ${FLOW_CONCURRENCY}`);
    }
  }
});

test('request rates: out of reach when on, off when off', () => {
  assert.equal(benchRateLimits('on').RATE_LIMIT_TOKEN, '1000000');
  assert.equal(benchRateLimits('off').RATE_LIMIT_TOKEN, '0');
  assert.throws(() => benchRateLimits('sometimes'), /on or off/);
});

test('password checks: as many at once as libuv runs for nop, queued within the RPC deadline', () => {
  const limits = benchRateLimits();
  assert.equal(limits.PASSWORD_CHECK_CONCURRENCY, '4');
  assert.ok(Number(limits.PASSWORD_CHECK_QUEUE_TIMEOUT_MS) < 5000);
});

test('every request rate limit of ours is out of reach: one the bench forgets answers its setup 429', async () => {
  // The settings table of the built @idp/config (the bench builds first): ssf-fanout's 1,000
  // stream creations from one address met RATE_LIMIT_SSF's default of 20/s.
  const { createRequire } = await import('node:module');
  const { settings } = createRequire(import.meta.url)('@idp/config');
  const rates = Object.keys(settings).filter((k) => /^RATE_LIMIT_[A-Z_]+$/.test(k));
  assert.ok(rates.includes('RATE_LIMIT_SSF'));
  const limits = benchRateLimits('on');
  for (const name of rates) {
    const schema = settings[name].schema;
    // A setting with its own meaning of a number (a window, a burst) is not a rate per second.
    if (!/per second|requests per/i.test(settings[name].description)) continue;
    assert.equal(limits[name], '1000000', `${name} is not set out of reach`);
    assert.equal(schema.safeParse(limits[name]).success, true, `${name}: 1000000 is not valid`);
  }
});
