import type { TestProject } from 'vitest/node';
import { migratePostgresDatabase } from '../backends/postgres/postgres-store.js';
import { startPostgresCluster } from '../testing/postgres-cluster.js';
import { ensureDistBuilt } from './dist-build.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the maintenance database of the project's private cluster (databases are made per test). */
    postgresAdminUrl: string;
  }
}

/** The migrated database every test database is copied from. */
export const TEMPLATE_DATABASE = 'minimail_template';

/** vitest globalSetup of the PostgreSQL project: one private cluster for the whole project. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  ensureDistBuilt();
  const cluster = await startPostgresCluster();
  // Each test's database is a copy of one migrated template (CREATE DATABASE ... TEMPLATE copies
  // files), not migrated anew: the suite's time goes to the tests.
  await cluster.createDatabase(TEMPLATE_DATABASE);
  await migratePostgresDatabase({ url: cluster.url(TEMPLATE_DATABASE) });
  project.provide('postgresAdminUrl', cluster.url('postgres'));
  return () => cluster.stop();
}
