// Collecting a scenario's figures per target into rows and curves: the peers'
// side of a row (one entry per peer that ran) and the CSV of a scaling curve
// with one column per target.

/**
 * `figures` maps target → variant → measurement (or { na: 'why' }); returns
 * peer name → its figure for `variant` (undefined: not measured in this run,
 * e.g. a smoke run's peers measure one variant).
 */
export function peerFigures(ctx, figures, variant) {
  return Object.fromEntries((ctx.peers ?? []).map((p) => [p.name, figures[p.name]?.[variant]]));
}

/** The peers' notes for a variant (`notes`: target → variant → note), joined. */
export function peerNotes(ctx, notes, variant) {
  return (ctx.peers ?? [])
    .map((p) => notes[p.name]?.[variant])
    .filter(Boolean)
    .join('; ');
}

/** The CSV column of a target's series: ours_distributed_rps, nop_redis_rps, bare_rps. */
export function seriesColumn(name) {
  const base = ['distributed', 'embedded'].includes(name) ? `ours_${name}` : name;
  return `${base.replace(/[^A-Za-z0-9]+/g, '_')}_rps`;
}

/**
 * A scaling curve as the suite writes it (docs/bench/<file>): x = connections,
 * one column per target that has points (`curve`: target → connections →
 * req/s), ours first, then the peers in registry order, then the others (bare).
 */
export function curveCsv(ctx, { file, title, points, curve }) {
  const order = ['distributed', 'embedded', ...(ctx.peers ?? []).map((p) => p.name)];
  const names = [
    ...order.filter((n) => curve[n]),
    ...Object.keys(curve).filter((n) => !order.includes(n)),
  ];
  return {
    file,
    title,
    header: ['connections', ...names.map(seriesColumn)],
    lines: points.map((c) => [c, ...names.map((n) => curve[n][c])]),
  };
}
