import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { restoreStore } from '@minimail/store';
import { println } from '../io.js';
import { storePath } from '../paths.js';
import type { CommandSpec } from './command.js';
import { withStore } from './with-store.js';

/**
 * Backup and restore of the data directory's store (docs: operations).
 *
 *   minimail backup FILE    a consistent copy while servers keep running (SQLite online backup):
 *                           every message acknowledged before the command started is in it
 *   minimail restore FILE   offline: stop every minimail process on the data dir first; refused
 *                           while the store is open, and the replaced store is kept beside it
 */
export const backupCommands: Record<string, CommandSpec> = {
  backup: {
    usage: 'backup FILE',
    summary: 'write a consistent copy of the store to FILE, also while servers run',
    arity: 1,
    run: ({ config, io, args: [file] }) =>
      withStore(config, async (store) => {
        const target = path.resolve(file!);
        await store.backup(target);
        println(io.stdout, `backup written to ${target} (${statSync(target).size} bytes)`);
      }),
  },
  restore: {
    usage: 'restore FILE',
    summary: 'replace the store with a backup (stop the servers first; the old store is kept)',
    arity: 1,
    run: ({ config, io, args: [file] }) => {
      mkdirSync(config.dataDir, { recursive: true });
      const target = storePath(config.dataDir);
      const { previous } = restoreStore(path.resolve(file!), target);
      println(io.stdout, `restored ${path.resolve(file!)} into ${target}`);
      if (previous !== null) println(io.stdout, `the replaced store is kept as ${previous}`);
      return Promise.resolve();
    },
  },
};
