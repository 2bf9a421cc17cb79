// One jest run, three kinds of test (emmett's naming): *.spec.ts are unit
// tests (no I/O beyond the process), *.int.spec.ts talk to real Kafka, Redis
// and PostgreSQL, test/e2e/**/*.e2e.spec.ts drive whole services.
const fs = require('node:fs');
const path = require('node:path');

const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];
// ESM-only dependencies. Node 24 require()s them (the built apps do); Jest's
// CommonJS runtime cannot, so swc rewrites them to CommonJS for the tests.
// NestJS 12 ships every @nestjs package as ESM (ADR 0019); the Fastify it
// brings pulls in two more: path-to-regexp 9 (under @fastify/middie) and
// cookie 2 (light-my-request, i.e. `app.inject`). The transform also turns
// Nest's `import()` of optional packages into `require()`. openid-client 6
// (the RP in the e2e tests) and its oauth4webapi are ESM-only. The OTLP
// exporter base is CommonJS but loads node:http with import(), which Jest's
// runtime refuses too: the same rewrite turns it into require().
const esmOnly = [
  'jose',
  '@nestjs',
  'path-to-regexp',
  'cookie',
  'openid-client',
  'oauth4webapi',
  '@opentelemetry/otlp-exporter-base',
];
const swcEsm = ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }];
// Every workspace, as `packages/<name>` or `apps/<name>`; its package is
// @idp/<name>. Read from disk, so a new package needs no entry here.
const workspaces = ['packages', 'apps'].flatMap((dir) =>
  fs
    .readdirSync(path.join(__dirname, dir))
    .filter((name) => fs.existsSync(path.join(__dirname, dir, name, 'package.json')))
    .map((name) => `${dir}/${name}`),
);
// Tests import workspace packages from source, so no build is needed to run them.
const moduleNameMapper = Object.fromEntries(
  workspaces.map((w) => [`^@idp/${path.basename(w)}$`, `<rootDir>/${w}/src`]),
);
// Started inside a workspace (its `npm test`, which `turbo run test` runs per
// package), jest crawls and runs that workspace's specs only.
const here = path.relative(__dirname, process.cwd()).split(path.sep).join('/');
const roots = workspaces.includes(here) ? [`<rootDir>/${here}`] : ['<rootDir>'];
const common = {
  rootDir: __dirname,
  roots,
  transform: {
    '^.+\\.ts$': swc,
    [`/node_modules/(${esmOnly.join('|')})/.+\\.js$`]: swcEsm,
  },
  // A file is left alone unless the innermost node_modules/ package it sits in
  // is on the list (a CommonJS dependency nested under an ESM one stays as is).
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)(?!.*/node_modules/)`],
  moduleNameMapper,
  // The architecture check's fixture repeats the workspaces' package names: out of Jest's module map.
  modulePathIgnorePatterns: ['<rootDir>/test/fixtures/'],
  testEnvironment: 'node',
  setupFiles: ['reflect-metadata'],
};
module.exports = {
  // Jest's default is one worker per core but one: a single worker on a
  // 2-core machine (CI, laptops in containers). The main process only
  // schedules and reports, so every core runs specs.
  maxWorkers: '100%',
  projects: [
    {
      ...common,
      displayName: 'unit',
      globalSetup: '<rootDir>/test/unit-setup/memory-tmpdir.ts',
      setupFiles: [...common.setupFiles, '<rootDir>/test/unit-setup/quiet-logs.ts'],
      testMatch: [
        '<rootDir>/{apps,packages}/*/src/**/*.spec.ts',
        '<rootDir>/test/unit/**/*.spec.ts',
      ],
      testPathIgnorePatterns: ['\\.int\\.spec\\.ts$', '\\.e2e\\.spec\\.ts$', '/node_modules/'],
    },
    {
      ...common,
      displayName: 'int',
      testMatch: ['<rootDir>/{apps,packages}/*/src/**/*.int.spec.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e.spec.ts'],
    },
  ],
};
