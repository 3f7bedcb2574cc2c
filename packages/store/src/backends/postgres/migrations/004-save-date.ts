import type { PostgresMigration } from './migration.js';

/**
 * Reserved number 004 (issue-15a): each message's save date (RFC 8514 SAVEDATE), as in the SQLite
 * backend's save-date migration: bigint milliseconds, NULL for messages saved before it, which read
 * their internal date. The version is the position in PG_MIGRATIONS: 3 while 003 (search index)
 * is not in this tree, 4 once it is merged before this one.
 */
export const migration004SaveDate: PostgresMigration = {
  version: 3,
  name: 'save-date',
  sql: `ALTER TABLE messages ADD COLUMN save_date bigint;`,
};
