#!/usr/bin/env node
// The `idp` command. Plain JavaScript so that `npx idp` works on a fresh
// clone right after `npm ci`: when the compiled CLI is missing or older than
// the TypeScript it is built from (its own sources or any project it
// references), it runs `tsc -b apps/cli` first, then the compiled CLI.
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, readFileSync, readdirSync, statSync, utimesSync } = require('node:fs');
const { dirname, join, resolve } = require('node:path');

const cliDir = resolve(__dirname, '..');
const buildInfo = join(cliDir, 'dist', '.tsbuildinfo');
const entry = join(cliDir, 'dist', 'cli.js');

/** Newest modification time (ms) of the .ts files and tsconfig of a project and of every project it references. */
function newestSource(projectDir, seen = new Set()) {
  if (seen.has(projectDir)) return 0;
  seen.add(projectDir);
  const tsconfig = join(projectDir, 'tsconfig.json');
  let newest = statSync(tsconfig).mtimeMs;
  newest = Math.max(newest, newestTs(join(projectDir, 'src')));
  // tsconfig.json is JSON without comments in this repository.
  const references = JSON.parse(readFileSync(tsconfig, 'utf8')).references ?? [];
  for (const ref of references)
    newest = Math.max(newest, newestSource(resolve(projectDir, ref.path), seen));
  return newest;
}

function newestTs(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestTs(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function stale() {
  if (!existsSync(entry) || !existsSync(buildInfo)) return 'missing';
  let newest;
  try {
    newest = newestSource(cliDir);
  } catch {
    // A tsconfig we cannot read as JSON: let tsc (incremental) decide.
    return 'possibly older than its sources';
  }
  return newest > statSync(buildInfo).mtimeMs ? 'older than its sources' : undefined;
}

const why = stale();
if (why) {
  process.stderr.write(`idp: the compiled CLI is ${why}; building it (tsc -b apps/cli)...\n`);
  const tsc = require.resolve('typescript/bin/tsc', { paths: [cliDir] });
  const built = spawnSync(process.execPath, [tsc, '-b', cliDir], {
    cwd: dirname(dirname(cliDir)),
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (built.status !== 0) {
    process.stderr.write('idp: the build failed (see the errors above)\n');
    process.exit(1);
  }
  // tsc leaves the build info alone when no output changed (a touched or
  // reverted file): mark the build as current, or every run would rebuild.
  const now = new Date();
  utimesSync(buildInfo, now, now);
}
require(entry);
