import path from 'node:path';
import { postgresBinDir, startPostgresCluster } from '@minimail/store/testing';

/**
 * globalSetup of the `e2e on postgres` project: one private PostgreSQL cluster for the project;
 * support.ts's cliEnv gives each test's data dir a database in it (MINIMAIL_DATABASE_URL).
 */
export default async function setup(): Promise<() => Promise<void>> {
  const bin = postgresBinDir();
  if (bin === null) throw new Error('postgresql is not installed (.ci/run installs it)');
  const cluster = await startPostgresCluster();
  process.env['MINIMAIL_E2E_POSTGRES_ADMIN_URL'] = cluster.url('postgres');
  process.env['MINIMAIL_E2E_POSTGRES_PSQL'] = path.join(bin, 'psql');
  return () => cluster.stop();
}
