// Building the suite's rows (the scenario contract of bench/README.md).
import { goalsFor } from './goals.mjs';

/** The connection counts of the scaling curves (issue #6). */
export const CURVE_CONNECTIONS = [1, 8, 32, 64, 128];

const round = (n) => (n === undefined ? undefined : Math.round(n));
const times = (n) => `${Number.isInteger(n) ? n.toFixed(1) : n}×`;

/**
 * One row comparing ours with every peer (and the bare limit). Figures are
 * `{ rps, p50, p99, errors, cpu? }` measurements; `peers` maps each peer that
 * ran in the scenario to its figure, or to `{ na: 'why' }` when it has no
 * such row. `variant` is the scenario's variant key (bench/lib/peers.mjs);
 * `label` (optional) what the table shows instead. The goals come from
 * bench/lib/goals.mjs; a goal whose side has no figure is not judged.
 */
export function compare({ scenario, variant, label, mode, unit, ours, peers = {}, bare, notes }) {
  const peerCells = {};
  const cpu = [ours.cpu && `ours CPU ${ours.cpu}`];
  const na = new Map(); // why → peer names, so peers sharing a reason share a note
  for (const [name, fig] of Object.entries(peers)) {
    if (!fig || fig.na || !fig.rps) {
      // na: why the peer has no such row; undefined: not measured in this run.
      peerCells[name] = { na: fig?.na };
      if (fig?.na) na.set(fig.na, [...(na.get(fig.na) ?? []), name]);
      continue;
    }
    peerCells[name] = {
      value: round(fig.rps),
      p50: fig.p50,
      p99: fig.p99,
      ratio: ours.rps / fig.rps,
    };
    if (fig.cpu) cpu.push(`${name} CPU ${fig.cpu}`);
  }
  const ratioBare = bare?.rps ? ours.rps / bare.rps : undefined;
  const goals = [];
  for (const { against, min } of goalsFor(scenario, variant, mode)) {
    const ratio = against === 'bare' ? ratioBare : peerCells[against]?.ratio;
    if (ratio === undefined) continue;
    goals.push({ goal: `≥ ${times(min)} ${against}`, met: ratio >= min });
  }
  const missed = goals.filter((g) => !g.met).map((g) => g.goal);
  return {
    scenario,
    variant: label ?? variant,
    mode,
    unit,
    ours: round(ours.rps),
    p50: ours.p50,
    p99: ours.p99,
    peers: peerCells,
    bare: round(bare?.rps),
    ratioBare,
    errors:
      (ours.errors ?? 0) +
      Object.values(peers).reduce((s, f) => s + (f?.errors ?? 0), 0) +
      (bare?.errors ?? 0),
    goals,
    target: goals.length ? goals.map((g) => g.goal).join(', ') : undefined,
    met: goals.length ? !missed.length : undefined,
    missed,
    notes:
      [
        notes,
        ...[...na].map(([why, names]) => `${names.join(', ')} n/a: ${why}`),
        cpu.filter(Boolean).join(', '),
      ]
        .filter(Boolean)
        .join('; ') || undefined,
  };
}
