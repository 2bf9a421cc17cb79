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
        `from /revoke's response to each receiver's token-revoked SET (RFC 8935 push); median of ${rounds} rounds (${ours.alls.map(int).join(', ')} ms), p50/p99 over every receiver of every round`,
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
      notes: `the same ${int(n)} POSTs of pre-signed SETs from a plain node process (node:http keep-alive agent, the same concurrency), what delivery alone costs; p50/p99 are the bare limit's; median of ${rounds} rounds (${bare.alls.map(int).join(', ')} ms)`,
    });
  return rows;
}
