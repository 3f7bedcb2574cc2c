// Flat config shared by every workspace: typescript-eslint's recommended rules
// plus a few that catch real mail-server bugs (floating promises lose errors).
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
  ...architectureRules(),
);
