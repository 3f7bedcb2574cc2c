import { defineConfig } from 'vitest/config';
import { postgresBinDir } from '@minimail/store/testing';

// The protocol e2e suites that reach the store only through the CLI, run again with
// MINIMAIL_DATABASE_URL set (e2e/postgres-global.ts): a representative subset, not every suite
// (the rest read the SQLite file directly or test SQLite itself: durability, fsync, backup).
const ON_POSTGRES = [
  'e2e/imap.test.ts',
  'e2e/pop3.test.ts',
  'e2e/cross-process.test.ts',
  'e2e/hostile.test.ts',
  // Issue 18: app passwords and quotas through the CLI and real logins, on the PostgreSQL store.
  'e2e/app-passwords.test.ts',
  'e2e/quota-cli.test.ts',
  // Sieve scripts in the store, delivery and ManageSieve on PostgreSQL too.
  'e2e/sieve.test.ts',
  'e2e/catcher.test.ts',
  // Issue 16: recorded conversations shared by two processes on one database (docs/adr/0035).
  'e2e/journey-shared.test.ts',
];
const havePostgres = postgresBinDir() !== null;
if (!havePostgres)
  console.warn('SKIPPED: the e2e on postgres project: postgresql is not installed (.ci/run installs it)');

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'mailserver', include: ['src/**/*.test.ts', 'e2e/**/*.test.ts'] } },
      ...(havePostgres
        ? [
            {
              extends: true as const,
              test: {
                name: 'e2e on postgres',
                include: ON_POSTGRES,
                env: { MINIMAIL_E2E_ON_POSTGRES: '1' },
                globalSetup: ['e2e/postgres-global.ts'],
              },
            },
          ]
        : []),
    ],
  },
});
