#!/usr/bin/env node
// Checks the dependency rules of ARCHITECTURE.md that a linter cannot see:
// workspace packages form no cycle, packages never depend on apps, and the
// layers point one way: apps → nest-kit → adapters → domain → contracts.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const layer = {
  contracts: 0,
  'oauth-errors': 0,
  config: 0,
  crypto: 0,
  observability: 0,
  domain: 1,
  rpc: 1,
  eventstore: 2,
  bus: 2,
  cache: 2,
  outbound: 2,
  // The command side and the projector: only domain, contracts and eventstore below it, no Nest.
  eventsourcing: 3,
  testing: 3,
  'nest-kit': 4,
  'token-service': 5,
  'introspection-service': 5,
  'session-service': 5,
  'auth-api': 5,
  embedded: 6,
  cli: 6,
};
const workspaces = ['packages', 'apps'].flatMap((dir) =>
  fs
    .readdirSync(path.join(root, dir))
    .map((name) => path.join(root, dir, name, 'package.json'))
    .filter(fs.existsSync),
);
const graph = new Map();
const problems = [];
for (const file of workspaces) {
  const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
  const name = pkg.name.replace('@idp/', '');
  const deps = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })
    .filter((d) => d.startsWith('@idp/'))
    .map((d) => d.replace('@idp/', ''));
  graph.set(name, deps);
  if (!(name in layer))
    problems.push(`${name}: not placed in a layer (scripts/check-architecture.js)`);
  for (const d of deps) {
    if (layer[d] === undefined) continue;
    // Apps are siblings: they never import each other (only the composition roots, embedded and the cli, import apps).
    const compositionRoot = name === 'embedded' || name === 'cli';
    if (layer[d] >= layer[name] && !(compositionRoot && layer[d] === 5)) {
      problems.push(`${name} (layer ${layer[name]}) must not depend on ${d} (layer ${layer[d]})`);
    }
  }
}
const visiting = new Set();
const done = new Set();
function visit(node, trail) {
  if (done.has(node)) return;
  if (visiting.has(node)) {
    problems.push(`cycle: ${[...trail, node].join(' → ')}`);
    return;
  }
  visiting.add(node);
  for (const d of graph.get(node) ?? []) visit(d, [...trail, node]);
  visiting.delete(node);
  done.add(node);
}
for (const node of graph.keys()) visit(node, []);
if (problems.length) {
  console.error('architecture check failed:\n  ' + problems.join('\n  '));
  process.exit(1);
}
console.log(`architecture check: ${graph.size} workspaces, no cycles, layers respected`);
