import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    // test/fixtures/: trees that break the layering on purpose (test/layering.test.ts), not code of the project.
    ignores: ['dist/', 'node_modules/', 'src/schema/regions-data.ts', 'demo-vault/', '.scratch/', 'test/fixtures/'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Personal data must never reach the console by accident: output goes through src/cli/output.ts.
      'no-console': 'error',
    },
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
