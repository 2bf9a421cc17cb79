// One measurement: autocannon against one target and token kind, a warm-up
// first, and a sampler that checks real response bodies while the load runs.
import autocannon from 'autocannon';
import { cpuClock } from '../lib/cpu.mjs';
import { checkActive, introspect } from '../lib/oauth.mjs';

/** The requests autocannon cycles through: one per token, built once. */
function requests({ authorization, tokens }) {
  return tokens.map((token) => ({
    method: 'POST',
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
    body: `token=${encodeURIComponent(token)}`,
  }));
}

/** Every token must be active (before and after the load); returns one response body. */
export async function verifyAll(url, kind, when) {
  let first;
  for (const token of kind.tokens) {
    const response = await introspect(url, kind.authorization, token);
    const problem = checkActive(response, kind.expect);
    if (problem) throw new Error(`${url}: a token was not active ${when}: ${problem}`);
    first ??= response.body;
  }
  return first;
}

/** Introspects a random token every intervalMs until stopped; counts bad answers. */
function sampler(url, kind, intervalMs) {
  const state = { checked: 0, failures: [] };
  let running = true;
  const loop = (async () => {
    while (running) {
      await new Promise((r) => setTimeout(r, intervalMs));
      if (!running) break;
      const token = kind.tokens[Math.floor(Math.random() * kind.tokens.length)];
      try {
        const problem = checkActive(await introspect(url, kind.authorization, token), kind.expect);
        if (problem) state.failures.push(problem);
      } catch (err) {
        state.failures.push(String(err));
      }
      state.checked++;
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return state;
    },
  };
}

function cannon(url, kind, { connections, duration, workers, rate }) {
  return autocannon({
    url,
    connections,
    duration,
    ...(workers ? { workers } : {}),
    // A fixed offered load: two builds then answer the same req/s, so their CPU per request
    // compares at the same batching (a saturated server's CPU/req is about 1 / its req/s).
    ...(rate ? { overallRate: rate } : {}),
    pipelining: 1,
    timeout: 10,
    requests: requests(kind),
  });
}

/**
 * Warm-up, then the measured run; throws if any response was not a good answer.
 * With `pids`, also the CPU those processes used per answered request during
 * the measured run only (warm-up excluded): `cpuUsPerReq`, µs.
 */
export async function measure(url, kind, options, pids = []) {
  // (warmup 0: the suite's smoke run only; the CLI requires a positive one)
  if (options.warmup) await cannon(url, kind, { ...options, duration: options.warmup });
  const clock = cpuClock(pids);
  const sample = sampler(url, kind, options.sampleIntervalMs);
  const result = await cannon(url, kind, options);
  const cpu = pids.length ? clock.stop() : undefined;
  const sampled = await sample.stop();
  // The sampler's introspections were answered by the same processes in the same window.
  const answered = result.requests.total + sampled.checked;
  const row = {
    rps: result.requests.total / result.duration,
    total: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    sampled: sampled.checked,
    cpuTicks: cpu?.ticks,
    cpuUsPerReq: cpu && answered ? (cpu.seconds * 1e6) / answered : undefined,
  };
  const bad = [];
  if (row.total === 0) bad.push('no request completed');
  if (row.non2xx)
    bad.push(`${row.non2xx} non-2xx responses (${JSON.stringify(result.statusCodeStats)})`);
  if (row.errors || row.timeouts) bad.push(`${row.errors} errors, ${row.timeouts} timeouts`);
  if (sampled.checked === 0) bad.push('the sampler checked no response');
  if (sampled.failures.length) {
    bad.push(
      `${sampled.failures.length}/${sampled.checked} sampled responses were not active: ${sampled.failures[0]}`,
    );
  }
  if (bad.length) throw new Error(`${url}: ${bad.join('; ')}`);
  return row;
}
