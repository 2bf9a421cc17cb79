// The import rules, read from the sources by dependency-cruiser: no file
// cycle, no import that resolves to nothing, every package a file imports is
// declared in the package.json of the workspace it sits in, and the framework
// (@nestjs) only where Nest wiring lives. The package.json graph alone cannot
// see these: a package can be imported because npm hoisted it, undeclared.
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const repo = path.resolve(__dirname, '..', '..');
const depcruise = path.join(
  repo,
  'node_modules',
  'dependency-cruiser',
  'bin',
  'dependency-cruiser.mjs',
);
const sourceDirs = ['packages', 'apps', 'test', 'bench', 'scripts'];

/** Only the Nest wiring (nest-kit) and the services (apps) know the framework; a new package does not. */
const framework = /^@nestjs\//;
const mayUseFramework = (ws) =>
  ws !== undefined && (ws.dir.startsWith('apps/') || ws.name === 'nest-kit');

/** Test code: specs next to the code, the children they fork, and the repository's own test tree. */
const isTestCode = (file) =>
  /\.spec\.ts$|\.child\.[cm]?[jt]s$/.test(file) || file.startsWith('test/');

/** Runs dependency-cruiser in `root` and returns its JSON result. */
function cruise(root) {
  const dirs = sourceDirs.filter((dir) => fs.existsSync(path.join(root, dir)));
  const out = execFileSync(
    process.execPath,
    [
      depcruise,
      '--config',
      path.join(repo, '.dependency-cruiser.cjs'),
      '--output-type',
      'json',
      ...dirs,
    ],
    { cwd: root, maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return JSON.parse(out.toString());
}

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
function packageOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

const declared = (pkg, fields) => new Set(fields.flatMap((f) => Object.keys(pkg[f] ?? {})));

/** The problems dependency-cruiser's rules found (file cycles, unresolvable imports). */
function ruleProblems(result) {
  return result.summary.violations.map((v) =>
    v.rule.name === 'no-circular'
      ? `file cycle: ${[v.from, ...v.cycle.map((c) => c.name ?? c)].join(' → ')}`
      : `${v.rule.name}: ${v.from} → ${v.to}`,
  );
}

/** The package.json closest to `file` (the workspace's, bench/'s own, or the root's), cached per directory. */
function ownerOf(root, file, cache) {
  let dir = path.posix.dirname(file);
  const seen = [];
  while (!cache.has(dir)) {
    seen.push(dir);
    const manifest = path.join(root, dir, 'package.json');
    if (fs.existsSync(manifest)) {
      cache.set(dir, { dir, pkg: JSON.parse(fs.readFileSync(manifest, 'utf8')) });
    } else if (dir === '.') {
      throw new Error(`no package.json above ${file}`);
    } else {
      dir = path.posix.dirname(dir);
    }
  }
  for (const d of seen) cache.set(d, cache.get(dir));
  return cache.get(dir);
}

/** Every bare import checked against the package.json closest to the importing file. */
function declarationProblems(root, result, workspaces) {
  const problems = [];
  const owners = new Map();
  const rootTools = declared(ownerOf(root, 'package.json', owners).pkg, [
    'dependencies',
    'devDependencies',
  ]);
  const workspaceNames = new Set(workspaces.map((ws) => ws.pkg.name));
  for (const mod of result.modules) {
    const file = mod.source;
    const owner = ownerOf(root, file, owners);
    const ws = workspaces.find((w) => w.dir === owner.dir);
    const test = isTestCode(file);
    // Production code may use its dependencies only; tests also the devDependencies.
    const fields = [
      'dependencies',
      'peerDependencies',
      ...(test || owner.dir === '.' ? ['devDependencies'] : []),
    ];
    const allowed = declared(owner.pkg, fields);
    for (const dep of mod.dependencies) {
      if (dep.coreModule || dep.module.startsWith('.') || dep.module.startsWith('node:')) continue;
      const name = packageOf(dep.module);
      if (framework.test(name) && ws && !mayUseFramework(ws)) {
        problems.push(
          `framework import: ${file} imports ${dep.module} (only nest-kit and apps use @nestjs)`,
        );
        continue;
      }
      if (name === owner.pkg.name || allowed.has(name)) continue;
      // The repository's tests may use its test tooling (root devDependencies) and any workspace.
      if ((test || owner.dir === '.') && (rootTools.has(name) || workspaceNames.has(name)))
        continue;
      problems.push(`undeclared import: ${file} imports ${name}, not in ${owner.dir}/package.json`);
    }
  }
  return problems;
}

/** A package.json that declares the framework where it must not be used. */
function frameworkDeclarations(workspaces) {
  return workspaces
    .filter((ws) => !mayUseFramework(ws))
    .flatMap((ws) =>
      [...declared(ws.pkg, ['dependencies', 'devDependencies', 'peerDependencies'])]
        .filter((d) => framework.test(d))
        .map(
          (d) =>
            `framework dependency: ${ws.dir}/package.json declares ${d} (only nest-kit and apps use @nestjs)`,
        ),
    );
}

function importProblems(root, workspaces) {
  const result = cruise(root);
  return {
    modules: result.modules.length,
    problems: [
      ...ruleProblems(result),
      ...declarationProblems(root, result, workspaces),
      ...frameworkDeclarations(workspaces),
    ],
  };
}

module.exports = { importProblems };
