import type { Migration } from './migration.js';

/**
 * Reserved number 015 (sortthread, docs/adr/0037): each body's IMAP SORT/THREAD keys (JSON made
 * by the IMAP side's `sortKeysOf` hook when the body is stored), read for a whole mailbox in one
 * query instead of parsing every message per SORT. Nullable and not backfilled here (SQL cannot
 * parse MIME): IMAP computes the keys of older bodies the first time a SORT or THREAD needs them
 * and records them (`recordSortKeys`). Its version is its position in MIGRATIONS (the lead
 * renumbers at merge: 14 on this branch, 15 once fts's 014 is in).
 */
export const migration015SortKeys: Migration = {
  version: 15,
  name: 'sort-keys',
  up(db) {
    db.exec(`ALTER TABLE bodies ADD COLUMN sort_keys TEXT`);
  },
};
