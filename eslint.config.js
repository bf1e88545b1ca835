// Lint rules: typescript-eslint's recommended set, plus, in the code that handles money, a ban
// on the float helpers that must never touch an amount (amounts are integer micro-credits).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', '.data/**', 'bench/results/**', '.sst/**', '.build/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Plain scripts that run on Node.js before dependencies are installed.
    files: ['scripts/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly' } },
  },
  {
    // Tests read untyped JSON bodies from the API.
    files: ['tests/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['core/**/*.ts', 'functions/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', { name: 'parseFloat', message: 'Amounts are integer micro-credits: use core/money.ts.' }],
      'no-restricted-properties': ['error', { property: 'toFixed', message: 'Amounts are integer micro-credits: use formatMicros.' }],
    },
  },
);
