// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Correctness rules only; layout is Prettier's job (`npm run lint` runs both).
export default tseslint.config(
  { ignores: ['dist/', 'data/', 'node_modules/', 'public/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { files: ['scripts/**/*.mjs'], languageOptions: { globals: { Buffer: 'readonly', process: 'readonly', console: 'readonly' } } },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // An empty catch would swallow an error (STYLE.md): every failure is shown, logged or retried.
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
);
