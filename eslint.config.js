// Flat config shared by every workspace: typescript-eslint's recommended rules
// plus a few that catch real mail-server bugs (floating promises lose errors), and the package
// arrows of ARCHITECTURE.md (eslint/architecture.js).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { architectureRules } from './eslint/architecture.js';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/data/**', '**/coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // Type-aware: each file is checked with the tsconfig.json nearest to it (typescript-eslint's
    // project service), so a promise nobody awaits, returns or marks `void` is an error.
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
  ...architectureRules(),
);
