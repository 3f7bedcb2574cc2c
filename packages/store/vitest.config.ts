import { defineConfig } from 'vitest/config';
import { postgresBinDir } from './src/testing/postgres-cluster.js';

// The PostgreSQL project needs Debian's postgresql package (.ci/run installs it); without it the
// project is left out, visibly.
const havePostgres = postgresBinDir() !== null;
if (!havePostgres)
  console.warn('SKIPPED: the PostgreSQL project: postgresql is not installed (.ci/run installs it)');

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // The contract suite (src/contract) runs once per backend and writer (docs/adr/0002, 0013):
    // SQLite writing on the store's thread, SQLite on the writer thread (which runs the built
    // dist/backends/sqlite/write-thread.js: turbo builds before testing), and PostgreSQL (one
    // private cluster for the project, a fresh database per test). Each backend's own tests
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
      ...(havePostgres
        ? [
            {
              extends: true as const,
              test: {
                name: 'postgres',
                include: [
                  'src/contract/**/*.test.ts',
                  'src/backends/postgres/**/*.test.ts',
                  'src/copy/**/*.test.ts',
                ],
                env: { MINIMAIL_TEST_STORE_BACKEND: 'postgres' },
                globalSetup: ['src/test-support/global-postgres.ts'],
              },
            },
          ]
        : []),
    ],
  },
});
