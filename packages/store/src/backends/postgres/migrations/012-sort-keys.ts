import type { PostgresMigration } from './migration.js';

/**
 * Reserved number 012 (sortthread, docs/adr/0037): each body's IMAP SORT/THREAD keys, as the
 * SQLite backend's sort-keys migration (nullable, filled lazily for older bodies). Its version is
 * its position in PG_MIGRATIONS (11 on this branch, 12 once fts's 011 is in).
 */
export const migration012SortKeys: PostgresMigration = {
  version: 12,
  name: 'sort-keys',
  sql: `ALTER TABLE bodies ADD COLUMN sort_keys text;`,
};
