import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Tests and benchmarks inspect untyped JSON (HTTP answers, ledger entries, reports): the rules that
// forbid touching `any` hold for the product's code, not for the code that checks it from outside.
const UNTYPED_JSON_RULES = {
  '@typescript-eslint/no-unsafe-assignment': 'off',
  '@typescript-eslint/no-unsafe-member-access': 'off',
  '@typescript-eslint/no-unsafe-argument': 'off',
  '@typescript-eslint/no-unsafe-call': 'off',
  '@typescript-eslint/no-unsafe-return': 'off',
  '@typescript-eslint/no-base-to-string': 'off',
  '@typescript-eslint/restrict-template-expressions': 'off',
};

export default tseslint.config(
  {
    // test/fixtures/: trees that break the layering on purpose (test/layering.test.ts), not code of the project.
    ignores: [
      'dist/',
      'node_modules/',
      'src/schema/regions-data.ts',
      'demo-vault/',
      '.scratch/',
      'test/fixtures/',
      // The built portal and the API types generated from /openapi.json (scripts/gen-api-types.ts).
      'web/dist/',
      'web/console/dist/',
      'web/src/api/schema.d.ts',
    ],
  },
  js.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // A callback may be async to fit its interface (a transaction, a hook) without awaiting anything.
      '@typescript-eslint/require-await': 'off',
      // node:test's test() and describe() return promises the runner awaits itself.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', name: ['test', 'describe', 'it', 'suite'], package: 'node:test' },
          ],
        },
      ],
      // Personal data must never reach the console by accident: output goes through src/cli/output.ts.
      'no-console': 'error',
    },
  },
  {
    // The parents' portal runs in the browser: no Node.js modules or globals in its code (its tests
    // run under Node.js, and web/ reaches the server only over HTTP: .dependency-cruiser.cjs).
    files: ['web/src/**/*.ts', 'web/src/**/*.tsx', 'web/console/src/**/*.ts', 'web/console/src/**/*.tsx'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['node:*'], message: 'web/src runs in the browser.' }] },
      ],
      'no-restricted-globals': ['error', 'Buffer', 'process', '__dirname', 'require'],
    },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: UNTYPED_JSON_RULES,
  },
  {
    // commander hands each action its parsed options untyped; each command's options type says what it reads.
    files: ['src/cli/main.ts'],
    rules: { '@typescript-eslint/no-unsafe-argument': 'off' },
  },
  {
    files: ['scripts/**', 'bench/**', 'bin/**', 'src/cli/output.ts', '**/*.test.ts', 'test/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    // .dependency-cruiser.cjs: dependency-cruiser reads its configuration as CommonJS.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
);
