// Lint rules: typescript-eslint's recommended set, plus, in the code that handles money, a ban
// on the float helpers that must never touch an amount (amounts are integer micro-credits).
import js from '@eslint/js';
import stylistic from '@stylistic/eslint-plugin';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'cdk.out/**',
      '.data/**',
      'bench/results/**',
      '.sst/**',
      '.build/**',
      'web/dist/**',
      'test-results/**',
      'playwright-report/**',
      'sdk/src/schema.ts',
      'sdk/dist/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { '@stylistic': stylistic },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Biome wraps code at 120 columns; this holds what it can not wrap (strings, comments) to it too.
      '@stylistic/max-len': ['error', { code: 120, ignoreUrls: true, ignoreRegExpLiterals: true }],
    },
  },
  {
    // Plain scripts that run on Node.js before dependencies are installed.
    files: ['scripts/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly' } },
  },
  {
    // The Usage & Billing app: React's own rules for hooks.
    files: ['web/src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  {
    // Tests read untyped JSON bodies from the API.
    files: ['tests/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['core/**/*.ts', 'functions/**/*.ts', 'web/src/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'parseFloat', message: 'Amounts are integer micro-credits: use core/money.ts.' },
      ],
      'no-restricted-properties': [
        'error',
        { property: 'toFixed', message: 'Amounts are integer micro-credits: use formatMicros.' },
      ],
    },
  },
);
