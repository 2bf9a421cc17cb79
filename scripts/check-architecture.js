#!/usr/bin/env node
// Checks the dependency rules of docs/architecture.md that ESLint does not:
// the package.json graph (layers, no package cycle: ./architecture/packages.js)
// and the imports (no file cycle, nothing undeclared, @nestjs only in the Nest
// wiring: ./architecture/imports.js). `--root DIR` checks another tree laid
// out like this repository (the test fixture in test/fixtures/architecture).
'use strict';
const path = require('path');
const { readWorkspaces, packageProblems } = require('./architecture/packages');
const { importProblems } = require('./architecture/imports');

const at = process.argv.indexOf('--root');
const root = at === -1 ? path.resolve(__dirname, '..') : path.resolve(process.argv[at + 1]);
const workspaces = readWorkspaces(root);
const imports = importProblems(root, workspaces);
const problems = [...packageProblems(workspaces), ...imports.problems];
if (problems.length) {
  console.error('architecture check failed:\n  ' + problems.join('\n  '));
  process.exit(1);
}
console.log(
  `architecture check: ${workspaces.length} workspaces, ${imports.modules} files, ` +
    'no cycles, layers respected, every import declared',
);
