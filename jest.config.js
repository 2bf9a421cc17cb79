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
const esmOnly = ['jose', 'openid-client', 'oauth4webapi'];
const swcEsm = ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }];
// Tests import workspace packages from source, so no build is needed to run them.
const moduleNameMapper = {
  '^@idp/(contracts|oauth-errors|domain|config|crypto|eventstore|bus|cache|outbound|nest-kit|testing|rpc|observability)$':
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
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
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
