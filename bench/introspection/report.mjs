// Markdown for stdout, bench/results/ and docs/BENCHMARKS.md.
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, release } from 'node:os';
import { TICKS_PER_SECOND } from '../lib/cpu.mjs';

const TARGET_RATIO = { peer: 3, bare: 0.6 };

const int = (n) => Math.round(n).toLocaleString('en-US');
const ms = (n) => (n < 10 ? n.toFixed(1) : String(Math.round(n)));
const us = (n) => (n === undefined ? 'n/a' : n.toFixed(1));

export function machine() {
  const git = (...args) => {
    try {
      return execFileSync('git', args, {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    } catch {
      return '?';
    }
  };
  const dirty = git('status', '--porcelain') ? ' + uncommitted changes' : '';
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? '?',
    node: process.version,
    os: `${process.platform} ${release()}`,
    commit: `${git('rev-parse', '--short', 'HEAD')}${dirty}`,
    loadavg: loadavg()[0].toFixed(2),
  };
}

function row(target, kind, r) {
  if (r.unsupported) return `| ${target} | ${kind} | n/a | | | | | | | | ${r.unsupported} |`;
  if (r.error)
    return `| ${target} | ${kind} | FAILED | | | | | | | | ${r.error.split('\n')[0].slice(0, 200).replaceAll('|', '\\|')} |`;
  const rounds = r.rounds
    ? `; median of ${r.rounds.map(int).join(' / ')} req/s` +
      (r.roundsCpu ? ` (server CPU ${r.roundsCpu.map(us).join(' / ')} µs/req)` : '')
    : '';
  return (
    `| ${target} | ${kind} | ${int(r.rps)} | ${ms(r.p50)} | ${ms(r.p99)} | ${r.non2xx} | ` +
    `${r.sampled} | ${r.serverCpu ?? 'n/a'} | ${us(r.cpuUsPerReq)} | ${r.loadGenCpu ?? 'n/a'} | ` +
    `load avg ${r.loadavg}${rounds} |`
  );
}

function ratio(results, kind, other) {
  const a = results.ours?.[kind];
  const b = results[other]?.[kind];
  if (!a?.rps || !b?.rps) return 'n/a';
  const x = a.rps / b.rps;
  return `${x.toFixed(2)}× ${x >= TARGET_RATIO[other] ? '(met)' : '(MISSED)'}`;
}

/** results: { [target]: { [kind]: row | { unsupported } | { error } } } */
export function render({ command, date, options, machine: m, labels, notes, results }) {
  const lines = [
    `### Introspection (RFC 7662), ${date}`,
    '',
    `- command: \`${command}\``,
    `- machine: ${m.cpus} × ${m.cpuModel}, ${m.os}, node ${m.node}, load average ${m.loadavg} at start`,
    `- commit: ${m.commit}`,
    `- load: autocannon, ${options.connections} connections, ${options.warmup} s warm-up + ` +
      `${options.duration} s measured per row, ${options.tokenCount} distinct tokens per kind, ` +
      `${options.workers ? `${options.workers} worker threads` : 'one thread'}` +
      `${options.rate ? `, offered load capped at ${int(options.rate)} req/s` : ''}` +
      `${options.rounds > 1 ? `, ${options.rounds} interleaved rounds (each row: the median round)` : ''}; ` +
      'the load generator and every server share the same cores (servers in their own processes); ' +
      'CPU columns are % of one core, warm-up included; CPU µs/req is the CPU time (user + system, ' +
      `/proc, ${TICKS_PER_SECOND} ticks/s) of the server process(es) during the measured seconds ` +
      'alone, divided by the requests answered in them',
    '',
    '| target | token | req/s | p50 ms | p99 ms | non-2xx | sampled active | server CPU | CPU µs/req | load-gen CPU | notes |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const [target, kinds] of Object.entries(results)) {
    for (const [kind, r] of Object.entries(kinds)) lines.push(row(target, kind, r));
  }
  const kinds = options.kinds;
  lines.push(
    '',
    `| ratio (req/s) | ${kinds.join(' | ')} | goal |`,
    `| --- | ${kinds.map(() => '---:').join(' | ')} | --- |`,
    `| ours / peer | ${kinds.map((k) => ratio(results, k, 'peer')).join(' | ')} | ≥ ${TARGET_RATIO.peer}× |`,
    `| ours / bare | ${kinds.map((k) => ratio(results, k, 'bare')).join(' | ')} | ≥ ${TARGET_RATIO.bare}× |`,
    '',
  );
  for (const target of Object.keys(results)) {
    lines.push(
      `- **${target}**: ${labels[target]}${notes[target]?.length ? `; ${notes[target].join('; ')}` : ''}`,
    );
  }
  lines.push('');
  return lines.join('\n');
}
