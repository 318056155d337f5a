// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'var/**', 'test/fixtures/**', 'runners/guest/suites/**/*.c'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Untrusted input is parsed with a schema; `as` on it hides bugs, so keep casts rare and visible.
      '@typescript-eslint/consistent-type-assertions': [
        'warn',
        { assertionStyle: 'as', objectLiteralTypeAssertions: 'never' },
      ],
      'no-control-regex': 'off',
      // Code within 120 columns (prettier wraps it); prose in strings and templates may run on.
      'max-len': [
        'error',
        { code: 120, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true },
      ],
    },
  },
  {
    // Functions short enough to read at once. Tests are exempt: a test case reads top to bottom.
    files: ['bot/**/*.ts', 'ingest/**/*.ts', 'runners/**/*.ts', 'config/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }] },
  },
  {
    // TEMPORARY (issue 10): floor-runners is rewriting these files into one run sequence in
    // runners/core/ (analyze.ts moves there) and removes this override once they meet the limit.
    files: [
      'runners/core/**/*.ts',
      'runners/qemu-pmem/runner.ts',
      'runners/qemu-pmem/analyze.ts',
      'runners/nfit-sim/runner.ts',
      'runners/registry.ts',
    ],
    rules: { 'max-lines-per-function': 'off' },
  },
  {
    // TEMPORARY (issue 10): the command line's registrations are being rewritten (one file per
    // command, --json everywhere); whoever lands that removes this override.
    files: ['bot/cli/ingest.ts', 'bot/cli/run.ts', 'bot/cli/series.ts'],
    rules: { 'max-lines-per-function': 'off' },
  },
);
