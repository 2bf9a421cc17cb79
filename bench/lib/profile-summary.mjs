#!/usr/bin/env node
// Summarises a V8 .cpuprofile (node --cpu-prof): self time per function and
// per package, so a missed target can name its hot path in docs/BENCHMARKS.md.
//   node bench/lib/profile-summary.mjs FILE.cpuprofile [--top N] [--last S]
// --last S: only the profile's last S seconds (a run whose measured part
// comes after a long set-up, e.g. ssf-fanout's rounds after its seeding).
import { readFileSync } from 'node:fs';

const [file, ...rest] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/lib/profile-summary.mjs FILE.cpuprofile [--top N] [--last S]');
  process.exit(2);
}
const option = (name) => (rest.includes(name) ? Number(rest[rest.indexOf(name) + 1]) : undefined);
const top = option('--top') || 25;
const last = option('--last');
const profile = JSON.parse(readFileSync(file, 'utf8'));
// Sample i was taken at startTime + the deltas up to i (µs); --last keeps those near endTime.
const from = last === undefined ? -Infinity : profile.endTime - last * 1e6;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfMicros = new Map();
let at = profile.startTime;
for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i] ?? 0;
  at += dt;
  if (at < from) continue;
  selfMicros.set(profile.samples[i], (selfMicros.get(profile.samples[i]) ?? 0) + dt);
}
// Idle time is not work: percentages are of the busy time.
const idle = [...selfMicros]
  .filter(([id]) => byId.get(id).callFrame.functionName === '(idle)')
  .reduce((a, [, us]) => a + us, 0);
const total = [...selfMicros.values()].reduce((a, b) => a + b, 0) - idle;

/** The package (or app/file) a frame belongs to. */
function owner(url, functionName) {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (url.startsWith('node:')) return url;
  const m = url.match(/(apps|packages)\/[^/]+/);
  return m ? m[0] : url;
}

const fnTotals = new Map();
const ownerTotals = new Map();
for (const [id, us] of selfMicros) {
  const { callFrame } = byId.get(id);
  if (callFrame.functionName === '(idle)') continue;
  const where = callFrame.url
    ? `${callFrame.url.split('/').slice(-2).join('/')}:${callFrame.lineNumber + 1}`
    : '';
  const fn = `${callFrame.functionName || '(anonymous)'} ${where}`;
  fnTotals.set(fn, (fnTotals.get(fn) ?? 0) + us);
  const o = owner(callFrame.url, callFrame.functionName);
  ownerTotals.set(o, (ownerTotals.get(o) ?? 0) + us);
}
const pct = (us) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
const print = (title, map) => {
  console.log(`\n${title}`);
  for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${pct(us)}  ${k}`);
};
console.log(
  `${file}: ${(total / 1e6).toFixed(1)} s busy, ${(idle / 1e6).toFixed(1)} s idle${last === undefined ? '' : ` (the last ${last} s)`}`,
);
print('self time by package', ownerTotals);
print('self time by function', fnTotals);
