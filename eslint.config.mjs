// ESLint for tracehop (issue 24, item 7): rules that find defects, not taste.
// The TypeScript (src/, register.ts, test/) is linted with type information,
// which the promise rules need to know what returns a promise; the plain
// JavaScript (bench/, scripts/, bin/, examples/, the test fixtures) without it.
// Layout is Prettier's business (.prettierrc.json), not ESLint's.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * A package's build/, dist/, src/ and lib/ folders are its private layout:
 * they move between releases. test/unit/dependency-entry-points.test.ts fails
 * on them in CI; this rule shows the same in an editor.
 */
const noDeepImports = [
  'error',
  {
    patterns: [
      {
        regex: '^(?:@[^/]+/)?[^./][^/]*/(?:build|dist|src|lib)(?:/|$)',
        message: "Only documented entry points of dependencies: a package's build/, dist/, src/ and lib/ folders are private (STYLE.md).",
      },
    ],
  },
];

/** Rules for every file, JavaScript or TypeScript. */
const defects = {
  eqeqeq: ['error', 'always', { null: 'ignore' }],
  'no-restricted-imports': noDeepImports,
  'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
};

/**
 * Rules switched off file by file, each for findings that are not defects:
 * an assertion TypeScript no longer needs, an `any` from a framework's
 * internals, a `String()` of a value typed unknown, an unbound method passed
 * on deliberately. The rules that catch defects (floating and misused
 * promises, unused code, ==, deep imports) hold everywhere, and new files get
 * every rule. To empty this table, fix by hand: `eslint --fix` on it removes
 * an assertion that src/frameworks/server-span-route.ts still needs (`Span`
 * has no `kind`). `new Function` in src/logging/log-fields.ts is deliberate
 * (its comment says why) and wants a disable comment with that reason.
 */
const DEFERRED = {
  '@typescript-eslint/await-thenable': ['src/export/batch-span-processor.ts'],
  '@typescript-eslint/consistent-type-imports': ['src/context/field-scope.ts'],
  '@typescript-eslint/no-base-to-string': [
    'src/jobs/bullmq-hook.ts',
    'test/integration/crashes.test.ts',
    'test/integration/log-span-events.test.ts',
    'test/integration/trust-boundaries.test.ts',
    'test/integration/worker-threads.test.ts',
    'test/support/chain-assertions.ts',
  ],
  '@typescript-eslint/no-implied-eval': ['src/logging/log-fields.ts'],
  '@typescript-eslint/no-redundant-type-constituents': ['test/unit/export/batch-span-processor.test.ts'],
  '@typescript-eslint/no-unnecessary-type-assertion': [
    'src/errors/crash-record.ts',
    'src/export/shutdown.ts',
    'src/frameworks/server-span-route.ts',
    'src/http/head-guard.ts',
    'src/http/server-span/server-span.ts',
    'src/otlp/encode-spans.ts',
    'test/integration/jobs-interop.test.ts',
    'test/integration/jobs.test.ts',
    'test/unit/jobs/carrier.test.ts',
    'test/unit/otlp/encode-spans.test.ts',
    'test/unit/runtime/process-hooks.test.ts',
  ],
  '@typescript-eslint/no-unsafe-argument': ['src/frameworks/express.ts'],
  '@typescript-eslint/no-unsafe-assignment': ['src/frameworks/express.ts', 'src/logging/recent-spans.ts'],
  '@typescript-eslint/no-unsafe-function-type': ['src/frameworks/express.ts', 'src/frameworks/koa.ts'],
  '@typescript-eslint/no-unsafe-member-access': ['src/frameworks/express.ts'],
  '@typescript-eslint/no-unsafe-return': ['src/frameworks/express.ts', 'src/frameworks/koa.ts', 'src/runtime/module-hooks.ts'],
  '@typescript-eslint/prefer-promise-reject-errors': ['src/export/shutdown.ts', 'test/support/otlp-receiver.ts'],
  '@typescript-eslint/require-await': ['test/unit/runtime/process-hooks.test.ts'],
  '@typescript-eslint/restrict-template-expressions': [
    'test/e2e/lost-and-stolen.e2e.test.ts',
    'test/integration/log-span-events.test.ts',
    'test/support/chain-assertions.ts',
  ],
  '@typescript-eslint/unbound-method': [
    'src/export/attempt-deadline.ts',
    'src/http/head-guard.ts',
    'src/http/server-span/server-span.ts',
    'test/e2e/support/collector.ts',
    'test/e2e/support/jaeger.ts',
    'test/support/bullmq-versions.ts',
    'test/support/services.ts',
  ],
  'no-useless-assignment': ['src/export/holding-span-exporter.ts', 'src/http/head-guard.ts', 'test/e2e/support/jaeger-api.ts'],
  'no-useless-escape': ['src/config/defaults.ts'],
  'preserve-caught-error': ['test/e2e/stack.e2e.test.ts'],
};

/** One config block per deferred rule, turning it off for its files only. */
function deferred(table) {
  return Object.entries(table).map(([rule, files]) => ({ files, rules: { [rule]: 'off' } }));
}

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/results/**', '**/node_modules/**', 'register.js'],
  },
  {
    files: ['**/*.{js,cjs,mjs}'],
    extends: [js.configs.recommended],
    languageOptions: {
      globals: { ...globals.node },
      sourceType: 'commonjs',
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: defects,
  },
  {
    // ES modules: .mjs, and the fixtures that are ES modules in .js on purpose (a "type": "module"
    // package, a typeless one Node detects, and sources esbuild bundles).
    files: [
      '**/*.mjs',
      'test/fixtures/frameworks/esm-only-*/**/*.js',
      'test/fixtures/module-systems/typeless-esm/**/*.js',
      'test/fixtures/module-systems/bundle-*.js',
    ],
    languageOptions: { sourceType: 'module' },
  },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      ...defects,
      'no-unused-vars': 'off',
      '@typescript-eslint/no-unused-vars': defects['no-unused-vars'],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      // `import type` for what is only a type, as the house style asks (STYLE.md); a lazy
      // `require('x') as typeof import('x')` is how tracehop defers loading a module, so
      // `typeof import()` annotations stay allowed.
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports', disallowTypeAnnotations: false }],
      // tracehop compiles to CommonJS and loads optional peers and start-up-heavy modules with a
      // lazy require() on purpose (the preload's start-up time is benchmarked): not a defect here.
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    // Tests read what child processes printed with JSON.parse, which is `any`, and let
    // jest's expect check its shape: tracking that `any` finds nothing a failing test would not.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  ...deferred(DEFERRED),
);
