import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The *.spec.ts files are Playwright's (`playwright test`).
    include: ['tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
