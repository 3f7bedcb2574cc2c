import { LATEST_SCHEMA_VERSION, PG_LATEST_SCHEMA_VERSION, migratePostgresDatabase } from '@minimail/store';
import { println } from '../io.js';
import { openAppStore, postgresSettingsOf } from '../open-store.js';
import type { CommandSpec } from './command.js';

/**
 * `minimail migrate`: brings the configured store's schema to this version's (forward only). A
 * store opened by `serve` migrates itself; this command lets an operator do it first, once, before
 * rolling out new nodes. The logic is the store's (packages/store migrations).
 */
export const migrateCommand: CommandSpec = {
  usage: 'migrate',
  summary: "apply the store's pending schema migrations (PostgreSQL or SQLite)",
  arity: 0,
  run: async ({ config, io }) => {
    const postgres = postgresSettingsOf(config);
    if (postgres !== null) {
      const applied = await migratePostgresDatabase(postgres);
      println(
        io.stdout,
        `PostgreSQL schema at version ${PG_LATEST_SCHEMA_VERSION}` +
          (applied.length === 0 ? ' (nothing to apply)' : ` (applied ${applied.join(', ')})`),
      );
      return;
    }
    await openAppStore(config.dataDir).close();
    println(io.stdout, `SQLite schema at version ${LATEST_SCHEMA_VERSION}`);
  },
};
