// The package.json rules: workspace packages form no cycle, packages never
// depend on apps, and the layers point one way:
// apps → nest-kit → adapters → domain → contracts.
'use strict';
const fs = require('fs');
const path = require('path');

const layer = {
  // node:crypto is imported here only (issue #15), so every workspace may depend on it.
  crypto: -1,
  contracts: 0,
  'oauth-errors': 0,
  config: 0,
  observability: 0,
  domain: 1,
  rpc: 1,
  eventstore: 2,
  bus: 2,
  cache: 2,
  outbound: 2,
  testing: 3,
  eventsourcing: 3,
  'nest-kit': 4,
  'token-service': 5,
  'introspection-service': 5,
  'session-service': 5,
  'auth-api': 5,
  embedded: 6,
  cli: 6,
};

/** Every workspace under `root`: its short name, directory (relative, `/`-separated) and package.json. */
function readWorkspaces(root) {
  return ['packages', 'apps']
    .filter((dir) => fs.existsSync(path.join(root, dir)))
    .flatMap((dir) =>
      fs
        .readdirSync(path.join(root, dir))
        .map((name) => `${dir}/${name}`)
        .filter((dir) => fs.existsSync(path.join(root, dir, 'package.json'))),
    )
    .map((dir) => {
      const pkg = JSON.parse(fs.readFileSync(path.join(root, dir, 'package.json'), 'utf8'));
      return { name: pkg.name.replace('@idp/', ''), dir, pkg };
    });
}

/** The layer and package-cycle problems of the workspaces' declared dependencies. */
function packageProblems(workspaces) {
  const graph = new Map();
  const problems = [];
  for (const { name, pkg } of workspaces) {
    const deps = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })
      .filter((d) => d.startsWith('@idp/'))
      .map((d) => d.replace('@idp/', ''));
    graph.set(name, deps);
    if (!(name in layer))
      problems.push(`${name}: not placed in a layer (scripts/architecture/packages.js)`);
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
      problems.push(`package cycle: ${[...trail, node].join(' → ')}`);
      return;
    }
    visiting.add(node);
    for (const d of graph.get(node) ?? []) visit(d, [...trail, node]);
    visiting.delete(node);
    done.add(node);
  }
  for (const node of graph.keys()) visit(node, []);
  return problems;
}

module.exports = { readWorkspaces, packageProblems };
