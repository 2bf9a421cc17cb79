// `npm run bench`: every scenario of bench/scenarios/ in turn (never two at
// once: they share the cores), one markdown table. The scenario contract is
// in bench/README.md. Exits 1 if any scenario failed or saw an error.
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { machine } from './introspection/report.mjs';

const BENCH = fileURLToPath(new URL('.', import.meta.url));
const ROOT = join(BENCH, '..');
// Long enough for the slowest start on a loaded 2-core CI machine (revocation starts five
// processes and waits for two consumer groups to join: it once took over 60 s there), short
// enough that a hung scenario still fails the run.
const SMOKE_LIMIT_S = 180;
const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);

const USAGE = `usage: node bench/suite.mjs [options]   (npm run bench -- [options] builds first)
  --only LIST       scenarios to run (file names in bench/scenarios/, comma-separated)
  --peers LIST      peers to run beside ours (bench/lib/peers.mjs names, comma-separated;
                    default: every registered peer available on this machine; "none": ours only)
  --smoke           a few seconds per scenario: proves the suite works, numbers meaningless;
                    writes nothing to docs/
  --duration S      measured seconds per row (default 10; smoke: 1, autocannon's minimum)
  --warmup S        warm-up seconds before each row (default 3; smoke: 0)
  --connections N   concurrent connections of the main rows (default 64)
  --record          append the table to docs/BENCHMARKS.md with the commit (only if all passed)
  --no-charts       do not redraw the charts of docs/bench/*.csv`;

/** Installs bench/package-lock.json's packages when missing or stale (as introspection/run.mjs). */
function ensureDependencies() {
  const installed = join(BENCH, 'node_modules', '.package-lock.json');
  const fresh = () => {
    if (!existsSync(installed)) return false;
    const want = JSON.parse(readFileSync(join(BENCH, 'package-lock.json'), 'utf8')).packages;
    const have = JSON.parse(readFileSync(installed, 'utf8')).packages;
    return Object.entries(want).every(([path, p]) => !path || have[path]?.version === p.version);
  };
  if (!fresh()) {
    log('installing bench dependencies (npm ci --prefix bench)');
    execFileSync('npm', ['ci', '--prefix', BENCH, '--no-audit', '--no-fund'], {
      stdio: ['ignore', 2, 2],
    });
  }
}

function positive(value, name) {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new Error(`--${name}: ${value} is not a positive number`);
  return n;
}

const list = (value) =>
  value
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export function parseOptions(argv, env = process.env) {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: 'string' },
      peers: { type: 'string' },
      smoke: { type: 'boolean' },
      record: { type: 'boolean' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      'no-charts': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const smoke = !!values.smoke;
  const duration = positive(values.duration ?? (smoke ? 1 : 10), 'duration');
  const options = {
    help: !!values.help,
    smoke,
    record: !!values.record,
    charts: !values['no-charts'],
    only: list(values.only),
    // undefined: every available peer; [] ("none"): ours only.
    peers: values.peers?.trim() === 'none' ? [] : list(values.peers),
    duration,
    // A smoke run: no warm-up (0 is allowed there only).
    warmup: smoke && values.warmup === undefined ? 0 : positive(values.warmup ?? 3, 'warmup'),
    connections: Math.round(positive(values.connections ?? 64, 'connections')),
    // Scaling curves: shorter points (five per target), a short warm-up each.
    curveConnections: smoke ? [8] : undefined,
    curveDuration: smoke ? 1 : Math.min(duration, 5),
    curveWarmup: smoke ? 0 : 1,
    redisUrl: env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    databaseUrl: env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/idp_test',
    kafkaBrokers: env.BENCH_KAFKA_BROKERS ?? '127.0.0.1:9092',
  };
  if (options.smoke && options.record)
    throw new Error('--smoke numbers are meaningless: no --record');
  return options;
}

const int = (n) => (typeof n === 'number' ? Math.round(n).toLocaleString('en-US') : (n ?? ''));
const ms = (n) => (typeof n === 'number' ? (n < 10 ? n.toFixed(1) : String(Math.round(n))) : '');
const cell = (s) =>
  String(s ?? '')
    .replaceAll('|', '\\|')
    .replaceAll('\n', ' ');
const latency = (p50, p99) =>
  p50 === undefined && p99 === undefined ? '' : `${ms(p50)} / ${ms(p99)}`;
const x = (r) => (typeof r === 'number' ? `${r.toFixed(2)}×` : '');

/** A peer's figure cell: the number, "n/a" (the peer has no such row), or empty (not measured). */
const peerCell = (p) => (p?.value !== undefined ? int(p.value) : p?.na ? 'n/a' : '');

function renderRow(r, peers) {
  // Rows built by compare() list the goals missed; the others (revocation, fan-out, replay) have one target.
  const missed = r.missed?.length ? r.missed.join(', ') : r.target;
  const met = r.met === undefined ? '' : r.met ? 'met' : `**MISSED**${missed ? `: ${missed}` : ''}`;
  const peerLatency = peers
    .filter((n) => r.peers?.[n]?.value !== undefined)
    .map((n) => `${n} ${latency(r.peers[n].p50, r.peers[n].p99)}`)
    .join('; ');
  return `| ${[
    cell(r.scenario),
    cell(r.variant),
    cell(r.mode),
    int(r.ours),
    ...peers.map((n) => peerCell(r.peers?.[n])),
    int(r.bare),
    cell(r.unit),
    latency(r.p50, r.p99),
    cell(peerLatency),
    r.errors ?? '',
    ...peers.map((n) => x(r.peers?.[n]?.ratio)),
    x(r.ratioBare),
    cell(r.target),
    met,
    cell(r.notes),
  ].join(' | ')} |`;
}

/**
 * The run's table: one figure and one ratio column per peer that ran
 * (`peers`: names in registry order), `skipped`: [{ name, why }] peers left
 * out on this machine, named under the table.
 */
export function render({ argv, options, m, date, results, peers = [], skipped = [], labels = {} }) {
  const header = [
    'scenario',
    'variant',
    'mode',
    'ours',
    ...peers,
    'bare',
    'unit',
    'ours p50 / p99 ms',
    'peers p50 / p99 ms',
    'errors',
    ...peers.map((n) => `ours/${n}`),
    'ours/bare',
    'goals (issue #16)',
    'met',
    'notes',
  ];
  const numeric = new Set(['ours', ...peers, 'bare', 'ours p50 / p99 ms', 'errors']);
  for (const n of ['bare', ...peers]) numeric.add(`ours/${n}`);
  const lines = [
    `### Suite, ${date}`,
    '',
    `- command: \`npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}\``,
    `- commit: ${m.commit}`,
    `- machine: ${m.cpus} × ${m.cpuModel}, ${m.os}, node ${m.node}, load average ${m.loadavg} at start`,
    `- load: ${options.connections} connections (closed-loop workers for flows), ${options.warmup} s warm-up + ${options.duration} s measured per row (a peer with a warm-up policy of its own: see the notes); curves ${options.curveDuration} s per point; load generator and servers share the cores${options.smoke ? '; **SMOKE RUN: numbers meaningless**' : ''}`,
    ...peers.map((n) => `- peer **${n}**: ${labels[n] ?? n}`),
    ...skipped.map((s) => `- peer **${s.name}**: not run: ${s.why}`),
    '',
    `| ${header.join(' | ')} |`,
    `| ${header.map((h) => (numeric.has(h) ? '---:' : '---')).join(' | ')} |`,
  ];
  for (const s of results) {
    if (s.error) {
      const cells = header.map(() => '');
      cells[0] = cell(s.name);
      cells[3] = 'FAILED';
      cells[cells.length - 1] = cell(s.error.split('\n')[0].slice(0, 300));
      lines.push(`| ${cells.join(' | ')} |`);
      continue;
    }
    for (const r of s.rows) lines.push(renderRow(r, peers));
  }
  lines.push('');
  for (const s of results) {
    if (!s.error)
      lines.push(
        `- **${s.name}** (${s.title}): ${s.seconds} s, load average ${s.loadavg} at its start`,
      );
  }
  lines.push('');
  return lines.join('\n');
}

function writeCsv(dir, { file, header, lines }) {
  if (!/^[\w.-]+\.csv$/.test(file)) throw new Error(`bad CSV file name ${file}`);
  mkdirSync(dir, { recursive: true });
  const text = [header, ...lines].map((l) => l.map((v) => v ?? '').join(',')).join('\n');
  writeFileSync(join(dir, file), `${text}\n`);
  return join(dir, file);
}

export async function main(argv = process.argv.slice(2)) {
  const options = parseOptions(argv);
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  ensureDependencies();
  const { stopKeptTargets } = await import('./lib/targets.mjs');
  const { selectPeers } = await import('./lib/peers.mjs');
  const dir = join(BENCH, 'scenarios');
  const available = readdirSync(dir)
    .filter((f) => f.endsWith('.mjs'))
    .map((f) => f.slice(0, -4))
    .sort();
  const unknown = (options.only ?? []).filter((n) => !available.includes(n));
  if (unknown.length)
    throw new Error(`--only: unknown ${unknown.join(',')} (have: ${available.join(',')})`);
  const names = options.only ?? available;
  const { peers, skipped } = await selectPeers({ options, log, root: ROOT }, options.peers);
  for (const p of peers) log(`peer ${p.name}: ${p.label}`);
  for (const p of skipped) log(`peer ${p.name}: NOT RUN: ${p.why}`);
  const m = machine();
  const startedAt = new Date();
  const results = [];
  for (const name of names) {
    const scenario = (await import(join(dir, `${name}.mjs`))).default;
    const load = loadavg()[0].toFixed(2);
    log(`== ${scenario.name}: ${scenario.title} (load average ${load})`);
    const t0 = performance.now();
    const ctx = { options, log, root: ROOT, smoke: options.smoke, peers };
    try {
      // A smoke run (CI) must end: a scenario that hangs fails after SMOKE_LIMIT_S.
      let timer;
      const out = await (options.smoke
        ? Promise.race([
            scenario.run(ctx),
            new Promise((_, reject) => {
              timer = setTimeout(
                () => reject(new Error(`no result after ${SMOKE_LIMIT_S} s (smoke run)`)),
                SMOKE_LIMIT_S * 1000,
              );
            }),
          ]).finally(() => clearTimeout(timer))
        : scenario.run(ctx));
      if (!out || !Array.isArray(out.rows) || !out.rows.length) throw new Error('no rows returned');
      const erred = out.rows.filter((r) => r.errors);
      if (erred.length)
        throw new Error(`${erred.length} row(s) with errors: ${JSON.stringify(erred[0])}`);
      results.push({
        name: scenario.name,
        title: scenario.title,
        rows: out.rows,
        csv: out.csv ?? [],
        loadavg: load,
        seconds: Math.round((performance.now() - t0) / 1000),
      });
    } catch (err) {
      log(`${scenario.name}: FAILED: ${err.stack ?? err}`);
      results.push({
        name: scenario.name,
        title: scenario.title,
        error: String(err.message ?? err),
      });
    }
  }
  await stopKeptTargets();
  const failed = results.filter((r) => r.error).map((r) => r.name);
  const date = startedAt.toISOString().replace(/\.\d+Z$/, 'Z');
  const markdown = render({
    argv,
    options,
    m,
    date,
    results,
    peers: peers.map((p) => p.name),
    skipped,
    labels: Object.fromEntries(peers.map((p) => [p.name, p.label])),
  });
  process.stdout.write(`\n${markdown}`);
  const resultsDir = join(BENCH, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  writeFileSync(join(resultsDir, `suite-${stamp}${options.smoke ? '-smoke' : ''}.md`), markdown);
  // Curves: to docs/bench/ from real runs only (a smoke run's numbers are meaningless).
  const csvDir = options.smoke
    ? join(resultsDir, `suite-${stamp}-smoke`)
    : join(ROOT, 'docs', 'bench');
  for (const s of results)
    for (const c of s.csv ?? []) log(`curve written to ${writeCsv(csvDir, c)}`);
  if (options.charts && !options.smoke) {
    const { drawAll } = await import('./lib/charts.mjs');
    for (const png of await drawAll(csvDir)) log(`chart written to ${png}`);
  }
  if (options.record && !failed.length) {
    appendFileSync(join(ROOT, 'docs', 'BENCHMARKS.md'), `\n${markdown}`);
    log('appended to docs/BENCHMARKS.md');
  } else if (options.record) {
    log('not recorded in docs/BENCHMARKS.md: a scenario failed');
  }
  if (failed.length) log(`FAILED: ${failed.join(', ')}`);
  return failed.length ? 1 : 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().then(
    // exit, not exitCode: a scenario that timed out in a smoke run may still hold handles.
    (code) => process.exit(code),
    (err) => {
      log(err.stack ?? String(err));
      process.exitCode = 2;
    },
  );
}
