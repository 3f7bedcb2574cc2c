import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // The contract suite (src/contract) runs once per backend and writer (docs/adr/0002, 0013):
    // SQLite writing on the store's thread, SQLite on the writer thread (which runs the built
    // dist/backends/sqlite/write-thread.js: turbo builds before testing). Each backend's own tests
    // (src/backends/<name>) run in that backend's projects; core unit tests in the first one.
    projects: [
      {
        extends: true,
        test: {
          name: 'sqlite inline',
          include: ['src/core/**/*.test.ts', 'src/contract/**/*.test.ts', 'src/backends/sqlite/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'sqlite thread',
          include: ['src/contract/**/*.test.ts', 'src/backends/sqlite/**/*.test.ts'],
          env: { MINIMAIL_TEST_STORE_WRITER: 'thread' },
          globalSetup: ['src/test-support/global-dist-build.ts'],
        },
      },
    ],
  },
});
