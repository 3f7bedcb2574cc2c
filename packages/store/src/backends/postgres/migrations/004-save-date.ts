import type { PostgresMigration } from './migration.js';

/**
 * Reserved number 004 (issue-15a): each message's save date (RFC 8514 SAVEDATE), as in the SQLite
 * backend's save-date migration: bigint milliseconds, NULL for messages saved before it, which read
 * their internal date.
 */
export const migration004SaveDate: PostgresMigration = {
  version: 4,
  name: 'save-date',
  sql: `ALTER TABLE messages ADD COLUMN save_date bigint;`,
};
