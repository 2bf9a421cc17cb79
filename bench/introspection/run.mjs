// Entry point: installs the bench's own dependencies (bench/package-lock.json)
// when they are missing or stale, then runs the benchmark.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bench = fileURLToPath(new URL('..', import.meta.url));
const installed = `${bench}node_modules/.package-lock.json`;
const lock = `${bench}package-lock.json`;
const fresh = () => {
  if (!existsSync(installed)) return false;
  const want = JSON.parse(readFileSync(lock, 'utf8')).packages;
  const have = JSON.parse(readFileSync(installed, 'utf8')).packages;
  // Optional packages for other platforms (e.g. @resvg/resvg-js-darwin-arm64) are never installed.
  return Object.entries(want).every(
    ([path, p]) => !path || have[path]?.version === p.version || (p.optional && !have[path]),
  );
};
if (!fresh()) {
  process.stderr.write('[bench] installing bench dependencies (npm ci --prefix bench)\n');
  execFileSync('npm', ['ci', '--prefix', bench, '--no-audit', '--no-fund'], { stdio: 'inherit' });
}

const { main } = await import('./main.mjs');
process.exitCode = await main();
