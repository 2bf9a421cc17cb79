// The introspection benchmark: each target in turn (one up at a time), each
// token kind, one table; with --rounds N the targets take turns N times and
// each row is the round with the median req/s.
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuMeter } from '../lib/cpu.mjs';
import { measure, verifyAll } from './load.mjs';
import { parseOptions, usage } from './options.mjs';
import { machine, render } from './report.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const targets = {
  ours: () => import('./targets/ours.mjs'),
  peer: () => import('./targets/peer.mjs'),
  bare: () => import('./targets/bare.mjs'),
};

const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);

async function benchTarget(name, options, context) {
  const target = (await targets[name]()).default;
  context.labels[name] = target.label;
  log(`${name}: starting (${target.label})`);
  const running = await target.start({ ...options, runId: context.runId, root: ROOT, log });
  context.notes[name] = running.notes ?? [];
  const rows = {};
  try {
    for (const kind of options.kinds) {
      const k = running.kinds[kind];
      if (k.unsupported) {
        log(`${name}/${kind}: not measured: ${k.unsupported}`);
        rows[kind] = { unsupported: k.unsupported };
        continue;
      }
      const body = await verifyAll(running.url, k, 'before the load');
      log(`${name}/${kind}: ${k.tokens.length} tokens active, e.g. ${JSON.stringify(body)}`);
      const load = loadavg()[0].toFixed(2);
      log(
        `${name}/${kind}: ${options.warmup} s warm-up + ${options.duration} s (load avg ${load})`,
      );
      const meter = cpuMeter(running.pids());
      const self = cpuMeter([process.pid]);
      // measure() also takes the servers' CPU per answered request, over the measured run alone.
      const r = await measure(running.url, k, options, running.pids());
      // Both % include the warm-up: server and load generator are busy throughout.
      r.serverCpu = meter.stop();
      r.loadGenCpu = self.stop();
      r.loadavg = load;
      await verifyAll(running.url, k, 'after the load');
      const us = r.cpuUsPerReq === undefined ? 'n/a' : r.cpuUsPerReq.toFixed(1);
      log(
        `${name}/${kind}: ${Math.round(r.rps)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, ` +
          `server CPU ${us} µs/req (${r.cpuTicks ?? 'n/a'} ticks)`,
      );
      rows[kind] = r;
    }
  } finally {
    await running.stop();
  }
  return rows;
}

/**
 * The row of the round with the median req/s; every round's req/s in `rounds`
 * and every round's server CPU µs/req in `roundsCpu`.
 */
function median(runs) {
  const measured = runs.filter((r) => r.rps !== undefined);
  if (measured.length < runs.length) return runs.find((r) => r.rps === undefined);
  const sorted = [...measured].sort((a, b) => a.rps - b.rps);
  const row = { ...sorted[Math.floor((sorted.length - 1) / 2)] };
  if (runs.length > 1) {
    row.rounds = runs.map((r) => Math.round(r.rps));
    row.roundsCpu = runs.map((r) => r.cpuUsPerReq);
  }
  return row;
}

export async function main(argv = process.argv.slice(2)) {
  const options = parseOptions(argv);
  if (options.help) {
    console.log(usage);
    return 0;
  }
  const context = { runId: randomBytes(4).toString('hex'), labels: {}, notes: {} };
  const startedAt = new Date();
  const m = machine();
  const runs = {}; // target → kind → one row per round
  const failedTargets = new Set();
  for (let round = 1; round <= options.rounds; round++) {
    if (options.rounds > 1) log(`round ${round} of ${options.rounds}`);
    for (const name of options.targets.filter((t) => !failedTargets.has(t))) {
      let rows;
      try {
        rows = await benchTarget(name, options, context);
      } catch (err) {
        failedTargets.add(name);
        log(`${name}: FAILED: ${err.stack ?? err}`);
        const error = String(err.message ?? err);
        rows = Object.fromEntries(options.kinds.map((k) => [k, { error }]));
        runs[name] = {}; // a failure replaces any earlier round
      }
      runs[name] ??= {};
      for (const [kind, row] of Object.entries(rows)) (runs[name][kind] ??= []).push(row);
    }
  }
  const results = Object.fromEntries(
    Object.entries(runs).map(([name, kinds]) => [
      name,
      Object.fromEntries(Object.entries(kinds).map(([kind, rs]) => [kind, median(rs)])),
    ]),
  );
  const failed = failedTargets.size > 0;
  const markdown = render({
    command: `npm run bench:introspection${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
    date: startedAt.toISOString().replace(/\.\d+Z$/, 'Z'),
    options,
    machine: m,
    labels: context.labels,
    notes: context.notes,
    results,
  });
  process.stdout.write(`\n${markdown}`);
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `introspection-${startedAt.toISOString().replace(/[:.]/g, '-')}.md`);
  writeFileSync(file, markdown);
  log(`written to ${file}`);
  if (options.record && !failed) {
    const docs = join(ROOT, 'docs', 'BENCHMARKS.md');
    if (!existsSync(docs)) writeFileSync(docs, '# Benchmarks\n\nSee bench/README.md.\n\n');
    appendFileSync(docs, `\n${markdown}`);
    log(`appended to ${docs}`);
  } else if (options.record) {
    log('not recorded in docs/BENCHMARKS.md: a target failed');
  }
  return failed ? 1 : 0;
}
