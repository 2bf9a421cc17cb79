// The two load shapes of the suite: autocannon for single requests, and a
// closed loop of N concurrent workers for multi-request operations (a whole
// code flow, a refresh rotation). Both warm up first, and both throw on any
// error or non-2xx response: a benchmark of errors is worthless.
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { cpuClock } from './cpu.mjs';

function fail(what, bad) {
  if (bad.length) throw new Error(`${what}: ${bad.join('; ')}`);
}

/**
 * autocannon against url cycling through `requests`; returns { rps, p50, p99,
 * total, errors, generatorCpu }. generatorCpu: this process's CPU (% of one
 * core) during the measured phase, the load generator's share of the cores.
 * `prepare({ phase, seconds, rate })` (optional) runs before each phase,
 * untimed (DPoP rows sign their proofs there); `rate` is the previous
 * phase's req/s, undefined before the first. `pids` (optional): the
 * server's processes; then `cpuUsPerReq` is their CPU time (user + system)
 * in the measured phase alone, per request answered in it.
 */
export async function cannon(
  what,
  { url, requests, connections, duration, warmup, prepare, pids },
) {
  const go = (seconds) =>
    autocannon({ url, connections, duration: seconds, pipelining: 1, timeout: 10, requests });
  let rate;
  if (warmup) {
    await prepare?.({ phase: 'warmup', seconds: warmup, rate });
    const w = await go(warmup);
    rate = w.requests.total / w.duration;
  }
  await prepare?.({ phase: 'measure', seconds: duration, rate });
  const self = process.cpuUsage();
  const server = pids && cpuClock(pids);
  const t0 = performance.now();
  const r = await go(duration);
  const serverCpu = server?.stop();
  const used = process.cpuUsage(self);
  const wall = (performance.now() - t0) / 1000;
  const row = {
    rps: r.requests.total / r.duration,
    total: r.requests.total,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.non2xx + r.errors + r.timeouts,
    generatorCpu: `${Math.round(((used.user + used.system) / 1e6 / wall) * 100)}%`,
    cpuUsPerReq:
      serverCpu && r.requests.total ? (serverCpu.seconds * 1e6) / r.requests.total : undefined,
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
