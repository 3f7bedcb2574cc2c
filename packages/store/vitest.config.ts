import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // The suite runs once per writer (docs/adr/0013): writes on the store's thread, and on the
    // writer thread (which runs the built dist/write-thread.js: turbo builds before testing).
    projects: [
      { extends: true, test: { name: 'inline writer', include: ['src/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'thread writer',
          include: ['src/**/*.test.ts'],
          env: { MINIMAIL_TEST_STORE_WRITER: 'thread' },
          globalSetup: ['src/test-support/global-dist-build.ts'],
        },
      },
    ],
  },
});
