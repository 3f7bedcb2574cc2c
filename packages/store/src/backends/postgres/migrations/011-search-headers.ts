import type { PostgresMigration } from './migration.js';

/**
 * Version 11: the decoded header block in the search index, as the SQLite backend's version 14
 * (docs/adr/0036), lower-cased like the other `s_` columns; NULL where the hook gave none (TEXT
 * then reads the message). Every entry is dropped, to be rebuilt with its headers (the catcher's
 * indexMissingBodies at start, IMAP SEARCH lazily).
 */
export const migration011SearchHeaders: PostgresMigration = {
  version: 11,
  name: 'search-headers',
  sql: `
    DELETE FROM body_facts;
    ALTER TABLE body_facts ADD COLUMN s_headers text;
    CREATE INDEX body_facts_s_headers ON body_facts USING gin (s_headers gin_trgm_ops);
  `,
};
