// dependency-cruiser reads every import of the TypeScript sources for
// scripts/check-architecture.js; the declared-dependency and framework rules
// are checked there (they need each workspace's package.json), the file
// cycles here. Paths are relative to the directory it runs in (the
// repository, or a test fixture laid out like it).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A file cycle (type-only imports count: they tie the files together just the same).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment:
        'An import that resolves to nothing: a typo, or a package that is not installed. bench/ is ' +
        'its own npm project, whose dependencies are installed only to run the benchmarks.',
      severity: 'error',
      from: { pathNot: '^bench/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: '(^|/)node_modules/' },
    // Not node_modules: excluded, a package's imports would vanish from the result (doNotFollow keeps them).
    exclude: { path: '(^|/)(dist|coverage)/|^test/fixtures/' },
    // Type-only imports are dependencies too (a cycle through them is still a cycle).
    tsPreCompilationDeps: true,
    // `@idp/*` resolves to the workspaces' sources, as in the tests: no build needed.
    tsConfig: { fileName: 'tsconfig.tests.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['types', 'typings', 'main'],
    },
  },
};
