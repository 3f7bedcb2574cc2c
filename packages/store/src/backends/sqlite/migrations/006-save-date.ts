import type { Migration } from './migration.js';

/**
 * Version 6: each message's save date (RFC 8514 SAVEDATE): when it was put into its mailbox by
 * delivery, APPEND, COPY or MOVE. Additive and instant: the column is NULL for messages saved
 * before this version, which read it as their internal date (the best we know of them).
 */
export const migration006SaveDate: Migration = {
  version: 6,
  name: 'save-date',
  up(db) {
    db.exec('ALTER TABLE messages ADD COLUMN save_date INTEGER');
  },
};
