import type { PostgresMigration } from './migration.js';

/**
 * Version 3: each message's save date (RFC 8514 SAVEDATE), as in the SQLite backend's version 6:
 * bigint milliseconds, NULL for messages saved before it, which read their internal date.
 */
export const migration003SaveDate: PostgresMigration = {
  version: 3,
  name: 'save-date',
  sql: `ALTER TABLE messages ADD COLUMN save_date bigint;`,
};
