// Flat config. tsc -b does the type checking; ESLint is type-aware only for
// the promise rules, over one program (tsconfig.tests.json: every source,
// spec and test file, @idp/* mapped to the sources, so no build is needed).
// Not projectService: it opens each file's nearest tsconfig.json, and the
// packages' exclude their specs while the root's includes nothing.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const infraLibs = ['@nestjs/*', 'kafkajs', 'ioredis', 'typeorm', 'pg', 'better-sqlite3', 'fastify'];

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '.infra/**',
      'coverage/**',
      'bench/results/**',
      // Broken on purpose: the architecture check's own test runs on it.
      'test/fixtures/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: {
        // Lets consistent-type-imports keep runtime imports that Nest's DI reads through decorator metadata.
        emitDecoratorMetadata: true,
        experimentalDecorators: true,
        project: './tsconfig.tests.json',
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // A promise nobody awaits loses its rejection (an unhandled rejection ends the process) and its
      // ordering; fire-and-forget is written `void promise` with a comment saying why.
      '@typescript-eslint/no-floating-promises': 'error',
      // An async callback where a void one is expected (an event handler, a forEach) drops its rejection.
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.name='forwardRef']",
          message: 'forwardRef hides a module cycle: fix the dependency direction.',
        },
      ],
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  {
    // Business logic and contracts know no transport, no framework, no database.
    files: ['packages/domain/src/**/*.ts', 'packages/contracts/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: infraLibs.map((group) => ({
            group: [group],
            message: 'domain and contracts stay free of infrastructure',
          })),
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'no-console': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off', 'no-console': 'off' },
  },
  {
    // ES modules run by node directly (bench/): its globals, and console for the report.
    files: ['**/*.mjs'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(
        [
          'process',
          'console',
          'Buffer',
          'URL',
          'URLSearchParams',
          'fetch',
          'AbortSignal',
          'setTimeout',
          'clearTimeout',
        ].map((name) => [name, 'readonly']),
      ),
    },
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/main.ts', '**/cli.ts', '**/*.cli.ts'],
    rules: { 'no-console': 'off' },
  },
);
