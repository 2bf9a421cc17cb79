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
 * `baseline` (optional): `{ label, ours, peers }`, the same row without the
 * feature measured in the same run (the DPoP rows: without DPoP); the row
 * then says what the feature costs each target (`costOf`).
 */
export function compare({
  scenario,
  variant,
  label,
  mode,
  unit,
  ours,
  peers = {},
  bare,
  notes,
  baseline,
}) {
  const peerCells = {};
  const cpu = [ours.cpu && `ours CPU ${ours.cpu}${generator(ours)}`];
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
    if (fig.cpu) cpu.push(`${name} CPU ${fig.cpu}${generator(fig)}`);
  }
  const ratioBare = bare?.rps ? ours.rps / bare.rps : undefined;
  const goals = [];
  for (const { against, min } of goalsFor(scenario, variant, mode)) {
    const ratio = against === 'bare' ? ratioBare : peerCells[against]?.ratio;
    if (ratio === undefined) continue;
    goals.push({ goal: `≥ ${times(min)} ${against}`, met: ratio >= min });
  }
  const missed = goals.filter((g) => !g.met).map((g) => g.goal);
  const cost = baseline && costOf(ours, peers, baseline);
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
    baseline: cost?.ratios,
    notes:
      [
        cost?.note,
        notes,
        ...[...na].map(([why, names]) => `${names.join(', ')} n/a: ${why}`),
        cpu.filter(Boolean).join(', '),
      ]
        .filter(Boolean)
        .join('; ') || undefined,
  };
}

/** ", load generator 41%" when the figure has the generator's CPU (bench/lib/load.mjs cannon). */
const generator = (fig) => (fig.generatorCpu ? ` (load generator ${fig.generatorCpu})` : '');

/**
 * What a feature costs, from a row's figures and the same row's without it
 * (`baseline`: { label, ours, peers }): { ratios: { ours, peers: { name:
 * ratio } }, note }, ratio = req/s with ÷ req/s without (1 = free), and,
 * when both have it, our server CPU µs per request with and without.
 */
export function costOf(ours, peers, baseline) {
  const ratio = (a, b) => (a?.rps && b?.rps ? a.rps / b.rps : undefined);
  const ratios = { ours: ratio(ours, baseline.ours), peers: {} };
  for (const [name, fig] of Object.entries(peers)) {
    const r = ratio(fig, baseline.peers?.[name]);
    if (r !== undefined) ratios.peers[name] = r;
  }
  // "0.80× (server CPU 200 → 250 µs/req, +50)": the CPU part when both figures have it.
  const part = (name, r, w, wo) => {
    const us =
      w !== undefined && wo !== undefined
        ? ` (server CPU ${Math.round(wo)} → ${Math.round(w)} µs/req, ${w >= wo ? '+' : '−'}${Math.round(Math.abs(w - wo))})`
        : '';
    return `${name} ${r.toFixed(2)}×${us}`;
  };
  const parts = [];
  if (ratios.ours !== undefined)
    parts.push(part('ours', ratios.ours, ours.cpuUsPerReq, baseline.ours?.cpuUsPerReq));
  for (const [name, r] of Object.entries(ratios.peers))
    parts.push(part(name, r, peers[name].cpuUsPerReq, baseline.peers[name].cpuUsPerReq));
  return {
    ratios,
    note: parts.length ? `vs ${baseline.label} (same run): ${parts.join(', ')}` : undefined,
  };
}
