// Draws every CSV in a folder (docs/bench/ by default) as a PNG next to it:
// the first column is x, every other column a y series (one line each),
// named by the header. Nothing to compile: vega-lite → vega → SVG (pure JS,
// no canvas), then @resvg/resvg-js → PNG (a prebuilt binary per platform). x is on a log scale when it spans ten
// times or more (connections 1..128, RPs 100..5,000, events 100k..1M).
//
//   node bench/lib/charts.mjs [folder]
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile } from 'vega-lite';

/** CSV text → { columns, rows } (numbers where a cell is one; no quoting: ours are plain). */
export function parseCsv(text) {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  if (lines.length < 2) throw new Error('a CSV needs a header and at least one line');
  const columns = lines[0].split(',').map((c) => c.trim());
  const rows = lines.slice(1).map((l) =>
    l.split(',').map((v) => {
      const t = v.trim();
      return t === '' ? null : Number.isFinite(Number(t)) ? Number(t) : t;
    }),
  );
  return { columns, rows };
}

const words = (name) => name.replace(/[_-]+/g, ' ').trim();

/** The unit a y column's name ends with (…_rps, …_ms, …_s, …_per_s), for the axis title. */
function yTitle(columns) {
  const units = new Set(columns.map((c) => /_(rps|ms|s|per_s|events_per_s)$/.exec(c)?.[1] ?? ''));
  if (units.size !== 1) return 'value';
  return {
    rps: 'requests per second',
    ms: 'milliseconds',
    s: 'seconds',
    per_s: 'per second',
    events_per_s: 'events per second',
    '': 'value',
  }[[...units][0]];
}

/** The vega-lite spec of one CSV. */
export function chartSpec(name, { columns, rows }) {
  const [x, ...ys] = columns;
  const values = [];
  for (const row of rows) {
    ys.forEach((y, i) => {
      if (typeof row[i + 1] === 'number' && typeof row[0] === 'number')
        values.push({ x: row[0], y: row[i + 1], series: words(y) });
    });
  }
  if (!values.length) throw new Error(`${name}: no numeric points`);
  const xs = values.map((v) => v.x);
  const log = Math.min(...xs) > 0 && Math.max(...xs) / Math.min(...xs) >= 10;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: words(name),
    width: 560,
    height: 320,
    background: 'white',
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: {
        field: 'x',
        type: 'quantitative',
        title: words(x),
        scale: log ? { type: 'log', base: 2 } : { zero: false },
        axis: { values: [...new Set(xs)].sort((a, b) => a - b) },
      },
      y: { field: 'y', type: 'quantitative', title: yTitle(ys), scale: { zero: true } },
      // Legend in the CSV's column order (ours first, then the peers), not alphabetical.
      color: { field: 'series', type: 'nominal', title: null, sort: ys.map(words) },
    },
    config: { font: 'DejaVu Sans', legend: { orient: 'bottom', labelLimit: 400 } },
  };
}

/** One CSV file → PNG next to it; returns the PNG path. */
export async function drawCsv(file) {
  const name = basename(file, '.csv');
  const spec = chartSpec(name, parseCsv(readFileSync(file, 'utf8')));
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  const png = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: 2 },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  })
    .render()
    .asPng();
  const out = file.replace(/\.csv$/, '.png');
  writeFileSync(out, png);
  return out;
}

/** Every *.csv in dir → PNG; returns the PNG paths. */
export async function drawAll(dir) {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.csv'))
    .sort();
  const out = [];
  for (const f of files) out.push(await drawCsv(join(dir, f)));
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ?? fileURLToPath(new URL('../../docs/bench', import.meta.url));
  for (const png of await drawAll(dir)) process.stdout.write(`${png}\n`);
}
