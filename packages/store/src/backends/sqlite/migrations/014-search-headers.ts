import type { Migration } from './migration.js';

/**
 * The full-text index holds each body's decoded header block too (docs/adr/0036), so IMAP SEARCH
 * TEXT is narrowed by it as BODY is. FTS5 tables take no new column: body_search is made again
 * with `headers`, and every entry is dropped, to be rebuilt with its headers (the catcher's
 * indexMissingBodies at start, IMAP SEARCH lazily). `headers_indexed` says whether an entry's
 * hook gave the header text (a hook without it leaves TEXT to the scan). The body_facts_forget
 * trigger names body_search by name and needs no change. Migration 014; its version is its position.
 */
export const migration014SearchHeaders: Migration = {
  version: 14,
  name: 'search-headers',
  up(db) {
    db.exec(`
      DROP TABLE body_search;
      DELETE FROM body_facts;
      ALTER TABLE body_facts ADD COLUMN headers_indexed INTEGER NOT NULL DEFAULT 0;
      CREATE VIRTUAL TABLE body_search USING fts5(
        sender, recipients, subject, body, message_id, headers, tokenize = 'trigram'
      );
    `);
  },
};
