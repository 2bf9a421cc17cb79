// Scenario "revocation": how long after /revoke (RFC 7009) returns a token
// can still introspect as active at either of two introspection replicas
// (the stale window; target 0: inactive on the very first call), and how long
// until the revocation event, through the outbox and Kafka, was consumed by
// the replicas' consumer group. See bench/README.md.
import { performance } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { basicAuth, clientCredentials, introspect } from '../lib/oauth.mjs';
import { startOurs } from '../lib/ours.mjs';
import { waitFor } from '../lib/processes.mjs';
import { isMain, runStandalone } from '../lib/standalone.mjs';

const GROUP = 'introspection-service.read-model';
const REVOKED_EVENT = 'grant.access_token_revoked';
const clients = [
  {
    client_id: 'bench-revoke-opaque',
    secret: 'bench-revoke-opaque-secret-0123456789',
    kind: 'opaque',
  },
  { client_id: 'bench-revoke-jwt', secret: 'bench-revoke-jwt-secret-0123456789ab', kind: 'jwt' },
];
const seed = {
  clients: clients.map((c) => ({
    client_id: c.client_id,
    client_secret: c.secret,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
    scope: 'api:read',
    access_token_format: c.kind,
  })),
};

const quantile = (sorted, q) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] : undefined;
const round = (n) => Math.round(n * 100) / 100;

/** The replicas' summed `idp_events_consumed_total{group, type, outcome="ok"}` (Prometheus text). */
async function consumed(metricsUrls) {
  const wanted = [`group="${GROUP}"`, `type="${REVOKED_EVENT}"`, 'outcome="ok"'];
  let sum = 0;
  for (const url of metricsUrls) {
    const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status}`);
    for (const line of text.split('\n')) {
      const m = /^idp_events_consumed_total\{(.*)\} (\S+)$/.exec(line);
      if (m && wanted.every((w) => m[1].split(',').includes(w))) sum += Number(m[2]);
    }
  }
  return sum;
}

async function revoke(base, authorization, token) {
  const res = await fetch(`${base}/revoke`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
    body: `token=${encodeURIComponent(token)}&token_type_hint=access_token`,
    signal: AbortSignal.timeout(10_000),
  });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`/revoke: HTTP ${res.status} ${body}`);
}

/**
 * Introspects at one replica from `t0` (the moment /revoke returned) until
 * the answer is inactive. Returns how many active answers came first, the
 * stale window (when the first inactive request was sent, 0 if it was the
 * first request) and when its answer arrived, in ms after t0.
 */
async function untilInactive(url, authorization, token, t0) {
  let active = 0;
  for (;;) {
    const sent = performance.now();
    const { status, body } = await introspect(url, authorization, token);
    if (status !== 200) throw new Error(`${url}: HTTP ${status} ${JSON.stringify(body)}`);
    if (body.active === false) {
      return { active, staleMs: active ? sent - t0 : 0, answeredMs: performance.now() - t0 };
    }
    active++;
    if (performance.now() - t0 > 30_000) throw new Error(`${url}: still active 30 s after /revoke`);
  }
}

async function measureKind(stack, client, n, metricsUrls, log) {
  const authorization = basicAuth(client.client_id, client.secret);
  const answered = [];
  const kafka = [];
  let activeAnswers = 0;
  let staleMax = 0;
  for (let i = 0; i < n; i++) {
    const token = await clientCredentials(`${stack.base}/token`, authorization, {
      scope: 'api:read',
    });
    // Active at both replicas before (read-through answers even before the projection did).
    for (const url of stack.introspectUrls) {
      const { status, body } = await introspect(url, authorization, token);
      if (status !== 200 || body.active !== true)
        throw new Error(`${url}: fresh token not active: ${status} ${JSON.stringify(body)}`);
    }
    const before = await consumed(metricsUrls);
    await revoke(stack.base, authorization, token);
    const t0 = performance.now();
    const results = await Promise.all(
      stack.introspectUrls.map((url) => untilInactive(url, authorization, token, t0)),
    );
    for (const r of results) {
      activeAnswers += r.active;
      staleMax = Math.max(staleMax, r.staleMs);
      answered.push(r.answeredMs);
    }
    await waitFor(
      `the ${REVOKED_EVENT} event consumed from Kafka`,
      async () => (await consumed(metricsUrls)) > before,
      { timeoutMs: 30_000, intervalMs: 2 },
    );
    kafka.push(performance.now() - t0);
    if ((i + 1) % 50 === 0) log(`  ${client.kind}: ${i + 1}/${n} revocations`);
  }
  answered.sort((a, b) => a - b);
  kafka.sort((a, b) => a - b);
  return { answered, kafka, activeAnswers, staleMax };
}

const scenario = {
  name: 'revocation',
  title: 'Revocation propagation: /revoke → inactive at every introspection replica',
  async run(ctx) {
    const { options, log, root, smoke } = ctx;
    const n = smoke ? 3 : Number(options.revocations ?? process.env.BENCH_REVOCATIONS ?? 200);
    if (!Number.isInteger(n) || n < 1) throw new Error(`bad revocation count ${n}`);
    log('starting the distributed stack with 2 introspection replicas');
    const stack = await startOurs({
      mode: 'distributed',
      seed,
      options,
      root,
      log,
      introspectionReplicas: 2,
    });
    try {
      const { metricsUrls } = stack;
      // Warm-up (not measured): the consumer group has its partitions and the connections are open.
      log('warm-up: one revocation per kind, until consumed from Kafka');
      for (const client of clients) await measureKind(stack, client, 1, metricsUrls, log);
      const load = loadavg()[0].toFixed(2);
      const rows = [];
      for (const client of clients) {
        log(`${client.kind}: ${n} revocations`);
        const r = await measureKind(stack, client, n, metricsUrls, log);
        rows.push(
          {
            scenario: 'revocation',
            variant: `${client.kind}: stale window after /revoke`,
            mode: 'distributed',
            ours: round(r.staleMax),
            unit: 'ms',
            p50: round(quantile(r.answered, 0.5)),
            p99: round(quantile(r.answered, 0.99)),
            errors: r.activeAnswers,
            target: '0 ms (inactive on the first call)',
            met: r.activeAnswers === 0,
            notes:
              `${n} revocations × 2 replicas; errors = active answers after /revoke returned; ` +
              `p50/p99 = when the inactive answer arrived (one introspection round trip); load avg ${load}`,
          },
          {
            scenario: 'revocation',
            variant: `${client.kind}: through Kafka (event consumed by the replicas)`,
            mode: 'distributed',
            ours: round(quantile(r.kafka, 0.5)),
            unit: 'ms',
            p50: round(quantile(r.kafka, 0.5)),
            p99: round(quantile(r.kafka, 0.99)),
            errors: 0,
            notes:
              `from /revoke returning to ${REVOKED_EVENT} counted on the replicas' /metrics ` +
              '(outbox → Kafka → consumer group); no answer waits for it: the replicas cache ' +
              'callers, not tokens, and token-service writes the Redis tombstone before /revoke returns',
          },
        );
      }
      return { rows };
    } catch (err) {
      throw new Error(`${err.message}\n${stack.logs()}`);
    } finally {
      await stack.stop();
    }
  },
};

export default scenario;

if (isMain(import.meta.url)) await runStandalone(scenario, { revocations: '' });
