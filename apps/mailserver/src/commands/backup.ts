import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { restoreStore } from '@minimail/store';
import { CliError } from '../cli-error.js';
import type { CopyJob, CopyResult } from '../copy-worker.js';
import { isTty, println } from '../io.js';
import { storePath } from '../paths.js';
import { withProgress } from '../progress.js';
import type { CommandSpec } from './command.js';
import { withStore } from './with-store.js';

/**
 * Backup and restore of the data directory's store (docs: operations).
 *
 *   minimail backup FILE    a consistent copy while servers keep running (SQLite online backup):
 *                           every message acknowledged before the command started is in it
 *   minimail restore FILE   offline: stop every minimail process on the data dir first; refused
 *                           while the store is open, and the replaced store is kept beside it
 *
 * On a terminal both show progress on stderr (bytes and percent): the copy then runs on a worker
 * thread while this one watches the file being written grow. Elsewhere (scripts, cron) they print
 * nothing but the result.
 */

function sizeOf(file: string): number {
  return existsSync(file) ? statSync(file).size : 0;
}

/** Runs one copy on the worker; a store failure comes back as its one-line message. */
function onWorker(job: CopyJob): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('../copy-worker.js', import.meta.url), { workerData: job });
    worker.once('message', (result: CopyResult) => {
      if (result.ok) resolve(result.previous);
      else reject(new CliError(result.error.message));
    });
    worker.once('error', reject);
  });
}

/** backup/restore copy the SQLite file; a PostgreSQL store is PostgreSQL's to back up. */
function refuseOnPostgres(databaseUrl: string | undefined, command: string): void {
  if (databaseUrl !== undefined)
    throw new CliError(
      `${command}: the store is on PostgreSQL (MINIMAIL_DATABASE_URL): use PostgreSQL's backups (pg_dump, base backups), or \`minimail store copy\``,
    );
}

export const backupCommands: Record<string, CommandSpec> = {
  backup: {
    usage: 'backup FILE',
    summary: 'write a consistent copy of the store to FILE, also while servers run',
    arity: 1,
    run: async ({ config, io, args: [file] }) => {
      refuseOnPostgres(config.databaseUrl, 'backup');
      const target = path.resolve(file!);
      if (isTty(io.stderr)) {
        const live = storePath(config.dataDir);
        // The copy is at most the main file plus its WAL (frames not yet checkpointed).
        const total = sizeOf(live) + sizeOf(`${live}-wal`);
        // The store writes `<FILE>.partial` and renames it when complete (packages/store backup.ts).
        const job: CopyJob = { op: 'backup', dataDir: config.dataDir, target };
        await withProgress(io.stderr, 'backup', { file: `${target}.partial`, total }, onWorker(job));
      } else {
        await withStore(config, (store) => store.backup(target));
      }
      println(io.stdout, `backup written to ${target} (${statSync(target).size} bytes)`);
    },
  },
  restore: {
    usage: 'restore FILE',
    summary: 'replace the store with a backup (stop the servers first; the old store is kept)',
    arity: 1,
    run: async ({ config, io, args: [file] }) => {
      refuseOnPostgres(config.databaseUrl, 'restore');
      mkdirSync(config.dataDir, { recursive: true });
      const target = storePath(config.dataDir);
      const source = path.resolve(file!);
      let previous: string | null;
      if (isTty(io.stderr)) {
        // The store copies into `.restore-<pid>.partial` beside the store, then renames it
        // (packages/store backup.ts); a worker thread has this process's pid.
        const partial = path.join(config.dataDir, `.restore-${process.pid}.partial`);
        const job: CopyJob = { op: 'restore', source, target };
        previous = await withProgress(
          io.stderr,
          'restore',
          { file: partial, total: sizeOf(source) },
          onWorker(job),
        );
      } else {
        previous = restoreStore(source, target).previous;
      }
      println(io.stdout, `restored ${source} into ${target}`);
      if (previous !== null) println(io.stdout, `the replaced store is kept as ${previous}`);
    },
  },
};
