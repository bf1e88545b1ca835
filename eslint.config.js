// Lint rules: typescript-eslint's recommended set, plus a ban on the float helpers that
// must never touch an amount (money is integer micro-credits, see core/money.ts).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', '.data/**', 'bench/results/**', '.sst/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      'no-restricted-globals': ['error', { name: 'parseFloat', message: 'Amounts are integer micro-credits: use core/money.ts.' }],
      'no-restricted-properties': ['error', { property: 'toFixed', message: 'Amounts are integer micro-credits: use formatMicros.' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
