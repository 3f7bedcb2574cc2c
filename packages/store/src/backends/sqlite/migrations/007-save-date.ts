import type { Migration } from './migration.js';

/**
 * Reserved number 007 (issue-15a): each message's save date (RFC 8514 SAVEDATE), when it was put
 * into its mailbox by delivery, APPEND, COPY or MOVE. Additive and instant: the column is NULL for
 * messages saved before this version, which read it as their internal date (the best we know of
 * them).
 */
export const migration007SaveDate: Migration = {
  version: 7,
  name: 'save-date',
  up(db) {
    db.exec('ALTER TABLE messages ADD COLUMN save_date INTEGER');
  },
};
