import type { Migration } from './migration.js';

/**
 * Version 3: a place for each body's parsed MIME structure (JSON made by the IMAP side's MIME
 * parser), so the structure is computed once when a message is stored, not on every FETCH.
 * Nullable: bodies stored before this version (or by a store opened without a describer) have none
 * and readers compute it on demand.
 */
export const migration003BodyStructure: Migration = {
  version: 3,
  name: 'body-structure',
  up(db) {
    db.exec(`ALTER TABLE bodies ADD COLUMN structure TEXT`);
  },
};
