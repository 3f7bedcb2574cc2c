/**
 * The PostgreSQL cells (issue 13): the same SMTP and IMAP loads against minimail on its PostgreSQL
 * backend, on a private cluster the bench starts (Debian's `postgresql` package, as the store's
 * tests do through `@minimail/store/testing`) and removes, beside the SQLite default.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { onAbort } from './cleanup.js';
import { postgresBinDir, startPostgresCluster, type PostgresCluster } from '@minimail/store/testing';
import type { BenchSettings } from './settings.js';

export interface BenchPostgres {
  /** A fresh database on the private cluster, as a `postgres://` URL. */
  database(): Promise<string>;
  stop(): Promise<void>;
}

/** A private cluster, or null (with the reason in `notes`) when PostgreSQL is off or absent. */
export async function startBenchPostgres(
  settings: BenchSettings,
  notes: string[],
): Promise<BenchPostgres | null> {
  if (!settings.postgres) return null;
  if (postgresBinDir() === null) {
    notes.push(
      'PostgreSQL: not installed: its cells skipped. `apt-get install postgresql` to compare backends.',
    );
    return null;
  }
  const cluster: PostgresCluster = await startPostgresCluster();
  // SIGQUIT is PostgreSQL's immediate shutdown; the postmaster's PID is the first line of its pid file.
  const forget = onAbort(() => {
    const pid = Number(readFileSync(path.join(cluster.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (pid > 0) process.kill(pid, 'SIGQUIT');
  });
  return {
    database: async () => cluster.url(await cluster.createDatabase()),
    stop: async () => {
      forget();
      await cluster.stop();
    },
  };
}
