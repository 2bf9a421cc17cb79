// One jest run, three kinds of test (emmett's naming): *.spec.ts are unit
// tests (no I/O beyond the process), *.int.spec.ts talk to real Kafka, Redis
// and PostgreSQL, test/e2e/**/*.e2e.spec.ts drive whole services.
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
// Tests import workspace packages from source, so no build is needed to run them.
const moduleNameMapper = {
  '^@idp/(contracts|oauth-errors|domain|config|crypto|eventstore|eventsourcing|bus|cache|outbound|nest-kit|testing|rpc|observability)$':
    '<rootDir>/packages/$1/src',
  '^@idp/(auth-api|token-service|introspection-service|session-service|embedded|cli)$':
    '<rootDir>/apps/$1/src',
};
const common = {
  rootDir: __dirname,
  transform: {
    '^.+\\.ts$': swc,
    [`/node_modules/(${esmOnly.join('|')})/.+\\.js$`]: swcEsm,
  },
  // A file is left alone unless the innermost node_modules/ package it sits in
  // is on the list (a CommonJS dependency nested under an ESM one stays as is).
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)(?!.*/node_modules/)`],
  moduleNameMapper,
  testEnvironment: 'node',
  setupFiles: ['reflect-metadata'],
};
module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
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
