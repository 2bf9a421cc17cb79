// The Shared Signals fan-out's figures: per round (from /revoke's response to
// each receiver's SET), over the rounds, and the suite rows they make
// (bench/README.md, the scenario contract). Pure: tested in bench/test/ssf.test.mjs.

/** Target of issue #19: all of 1,000 push receivers have the SET within 2 s of /revoke returning. */
export const TARGET = { receivers: 1_000, ms: 2_000 };

/** Nearest-rank quantile of an ascending array (undefined when empty). */
export const quantile = (sorted, q) =>
  sorted.length
    ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]
    : undefined;

const round1 = (n) => (n === undefined ? undefined : Math.round(n * 10) / 10);

/**
 * One round: `arrivals` (performance.now() of each receiver's SET), `t0` (when
 * /revoke's response arrived), `expected` receivers. Throws when one is missing.
 */
export function roundFigures(arrivals, t0, expected) {
  if (arrivals.length !== expected)
    throw new Error(`${arrivals.length} of ${expected} receivers got the SET`);
  const delays = arrivals.map((at) => at - t0).sort((a, b) => a - b);
  return {
    all: round1(delays.at(-1)),
    p50: round1(quantile(delays, 0.5)),
    p99: round1(quantile(delays, 0.99)),
    delays,
  };
}

/**
 * Several rounds of one size: all-delivered as the median round (and the
 * worst), p50/p99 over every receiver of every round.
 */
export function overRounds(rounds) {
  if (!rounds.length) throw new Error('no rounds');
  const alls = rounds.map((r) => r.all);
  const pooled = rounds.flatMap((r) => r.delays).sort((a, b) => a - b);
  return {
    all: quantile(
      [...alls].sort((a, b) => a - b),
      0.5,
    ),
    worst: Math.max(...alls),
    p50: round1(quantile(pooled, 0.5)),
    p99: round1(quantile(pooled, 0.99)),
    alls,
  };
}

const int = (n) => Math.round(n).toLocaleString('en-US');
const roundsOf = (n) => `${n} round${n === 1 ? '' : 's'}`;
const NO_PEER =
  'no peer: none of the suite peers (node-oidc-provider, Keycloak) transmits Shared Signals';

/**
 * The rows of one size in one mode: ours (median round; the target judged on
 * every round, the worst included) with the bare limit beside it, and the
 * bare limit's own row (its p50/p99 in the latency cells). `ours`/`bare`:
 * overRounds() results (bare may be undefined); `notes`: extra notes of ours.
 */
export function ssfRows({ n, mode, ours, bare, rounds, notes = [] }) {
  const variant = `${int(n)} push receivers`;
  const judged = n === TARGET.receivers;
  const rows = [
    {
      scenario: 'ssf-fanout',
      variant,
      mode,
      unit: 'ms (all delivered)',
      ours: ours.all,
      p50: ours.p50,
      p99: ours.p99,
      peers: {},
      bare: bare?.all,
      ratioBare: bare?.all ? ours.all / bare.all : undefined,
      errors: 0,
      ...(judged
        ? {
            target: `< ${int(TARGET.ms)} ms`,
            met: ours.worst < TARGET.ms,
            missed: ours.worst < TARGET.ms ? [] : [`< ${int(TARGET.ms)} ms`],
          }
        : {}),
      notes: [
        `from /revoke's response to each receiver's token-revoked SET (RFC 8935 push); median of ${roundsOf(rounds)} (${ours.alls.map(int).join(', ')} ms), p50/p99 over every receiver of every round`,
        ...(bare?.all
          ? ['ours/bare is a ratio of times: how many times the bare limit ours took']
          : []),
        ...notes,
        NO_PEER,
      ].join('; '),
    },
  ];
  if (bare)
    rows.push({
      scenario: 'ssf-fanout',
      variant: `${variant}: bare limit`,
      mode: 'plain node',
      unit: 'ms (all delivered)',
      bare: bare.all,
      p50: bare.p50,
      p99: bare.p99,
      peers: {},
      errors: 0,
      notes: `the same ${int(n)} POSTs of pre-signed SETs from a plain node process (node:http keep-alive agent, the same concurrency), what delivery alone costs; p50/p99 are the bare limit's; median of ${roundsOf(rounds)} (${bare.alls.map(int).join(', ')} ms)`,
    });
  return rows;
}

/** The millisecond timestamp of an RFC 9562 UUIDv7, undefined for anything else. */
export function uuidv7Ms(id) {
  if (
    typeof id !== 'string' ||
    !/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.test(id)
  )
    return undefined;
  return parseInt(id.replaceAll('-', '').slice(0, 12), 16);
}

/**
 * Where a round's time went, read from the SETs alone: our event ids and SET
 * jtis are UUIDv7, so `txn` says when token-service appended the revocation
 * and `jti` when session-service queued the SET (ms after t0, epoch ms of
 * /revoke's response; negative: before it). `sets`: [{ claims, at }] with
 * `at` in epoch ms. Undefined when the ids are not UUIDv7.
 */
export function stagesOf(sets, t0) {
  const events = sets.map((s) => uuidv7Ms(s.claims.txn));
  const queued = sets.map((s) => uuidv7Ms(s.claims.jti));
  if (!sets.length || [...events, ...queued].some((t) => t === undefined)) return undefined;
  const arrived = sets.map((s) => s.at);
  const rel = (xs, f) => round1(f(...xs) - t0);
  return {
    event: rel(events, Math.min),
    queuedFirst: rel(queued, Math.min),
    queuedLast: rel(queued, Math.max),
    firstSet: rel(arrived, Math.min),
    lastSet: rel(arrived, Math.max),
  };
}

/** "event −18 ms, queued +12…+15 ms, SETs +600…+1,200 ms" */
export function describeStages(s) {
  const ms = (n) => `${n < 0 ? '−' : '+'}${int(Math.abs(n))}`;
  return `revocation event ${ms(s.event)} ms, SETs queued ${ms(s.queuedFirst)}…${ms(s.queuedLast)} ms, received ${ms(s.firstSet)}…${ms(s.lastSet)} ms`;
}
