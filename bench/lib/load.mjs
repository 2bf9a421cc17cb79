// The two load shapes of the suite: autocannon for single requests, and a
// closed loop of N concurrent workers for multi-request operations (a whole
// code flow, a refresh rotation). Both warm up first, and both throw on any
// error or non-2xx response: a benchmark of errors is worthless.
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';

function fail(what, bad) {
  if (bad.length) throw new Error(`${what}: ${bad.join('; ')}`);
}

/** autocannon against url cycling through `requests`; returns { rps, p50, p99, total, errors }. */
export async function cannon(what, { url, requests, connections, duration, warmup }) {
  const go = (seconds) =>
    autocannon({ url, connections, duration: seconds, pipelining: 1, timeout: 10, requests });
  if (warmup) await go(warmup);
  const r = await go(duration);
  const row = {
    rps: r.requests.total / r.duration,
    total: r.requests.total,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.non2xx + r.errors + r.timeouts,
  };
  const bad = [];
  if (!row.total) bad.push('no request completed');
  if (r.non2xx) bad.push(`${r.non2xx} non-2xx responses (${JSON.stringify(r.statusCodeStats)})`);
  if (r.errors || r.timeouts) bad.push(`${r.errors} errors, ${r.timeouts} timeouts`);
  fail(what, bad);
  return row;
}

function percentile(sorted, p) {
  if (!sorted.length) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * `concurrency` workers call `op(worker)` back to back for `duration`
 * seconds (after `warmup` seconds not counted); op throws on any bad answer.
 * Returns { rps (operations/s), p50, p99 (ms per operation), total, errors }.
 */
export async function closedLoop(what, { concurrency, duration, warmup, op }) {
  const errors = [];
  const phase = async (seconds, record) => {
    const latencies = [];
    const end = performance.now() + seconds * 1000;
    const worker = async (w) => {
      while (performance.now() < end && errors.length === 0) {
        const t = performance.now();
        try {
          await op(w);
          if (record) latencies.push(performance.now() - t);
        } catch (err) {
          errors.push(err);
        }
      }
    };
    const t0 = performance.now();
    await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
    return { latencies, seconds: (performance.now() - t0) / 1000 };
  };
  if (warmup) await phase(warmup, false);
  const { latencies, seconds } = await phase(duration, true);
  fail(
    what,
    errors.length
      ? [`${errors.length} failed operation(s): ${errors[0].message ?? errors[0]}`]
      : [],
  );
  if (!latencies.length) fail(what, ['no operation completed']);
  latencies.sort((a, b) => a - b);
  return {
    rps: latencies.length / seconds,
    total: latencies.length,
    p50: Math.round(percentile(latencies, 50)),
    p99: Math.round(percentile(latencies, 99)),
    errors: 0,
  };
}
