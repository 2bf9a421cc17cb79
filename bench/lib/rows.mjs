// Building the suite's rows (the scenario contract of bench/README.md).

/** The connection counts of the scaling curves (issue #6). */
export const CURVE_CONNECTIONS = [1, 8, 32, 64, 128];

const round = (n) => (n === undefined ? undefined : Math.round(n));

/**
 * One row comparing ours with the peer (and the bare limit): figures are
 * `{ rps, p50, p99, errors, cpu? }` measurements, or undefined when the side
 * does not apply. `target` is the minimum ours/peer ratio, `targetBare` the
 * minimum ours/bare ratio, when the scenario has one.
 */
export function compare({
  scenario,
  variant,
  mode,
  unit,
  ours,
  peer,
  bare,
  target,
  targetBare,
  notes,
}) {
  const ratio = peer?.rps ? ours.rps / peer.rps : undefined;
  const ratioBare = bare?.rps ? ours.rps / bare.rps : undefined;
  const goals = [];
  let met;
  if (target !== undefined && ratio !== undefined) {
    goals.push(`≥ ${target}× peer`);
    met = ratio >= target;
  }
  if (targetBare !== undefined && ratioBare !== undefined) {
    goals.push(`≥ ${targetBare}× bare`);
    met = (met ?? true) && ratioBare >= targetBare;
  }
  const cpu = [ours.cpu && `ours CPU ${ours.cpu}`, peer?.cpu && `peer CPU ${peer.cpu}`]
    .filter(Boolean)
    .join(', ');
  return {
    scenario,
    variant,
    mode,
    unit,
    ours: round(ours.rps),
    peer: round(peer?.rps),
    bare: round(bare?.rps),
    p50: ours.p50,
    p99: ours.p99,
    peerP50: peer?.p50,
    peerP99: peer?.p99,
    errors: (ours.errors ?? 0) + (peer?.errors ?? 0) + (bare?.errors ?? 0),
    ratio,
    ratioBare,
    target: goals.length ? goals.join(', ') : undefined,
    met,
    notes: [notes, cpu].filter(Boolean).join('; ') || undefined,
  };
}
