import type { PostgresMigration } from './migration.js';

/**
 * Version 3: the mail catcher's search index (docs/adr/0017), as the SQLite backend's version 6.
 * One row per stored body with the list columns (so a page of the list reads no body) and the
 * searchable text, folded to lower case by the store (the same folding whatever the server's
 * locale). Substring search, as IMAP SEARCH and Mailpit do it, is `LIKE '%term%'` answered from
 * pg_trgm GIN indexes (a trusted extension since PostgreSQL 13: the database owner may create it;
 * Debian's postgresql package ships it). The row goes with its body (ON DELETE CASCADE) when the
 * body's last reference does.
 */
export const migration003Search: PostgresMigration = {
  version: 3,
  name: 'search',
  sql: `
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE TABLE body_facts (
      hash         text PRIMARY KEY REFERENCES bodies(hash) ON DELETE CASCADE,
      from_json    text NOT NULL,
      to_json      text NOT NULL,
      cc_json      text NOT NULL,
      bcc_json     text NOT NULL,
      reply_json   text NOT NULL,
      subject      text NOT NULL,
      message_id   text NOT NULL,
      snippet      text NOT NULL,
      attachments  integer NOT NULL,
      -- The searchable text, lower-cased: who sent, who received, subject, every text part.
      s_sender     text NOT NULL,
      s_recipients text NOT NULL,
      s_subject    text NOT NULL,
      s_body       text NOT NULL,
      s_message_id text NOT NULL
    );
    CREATE INDEX body_facts_s_sender ON body_facts USING gin (s_sender gin_trgm_ops);
    CREATE INDEX body_facts_s_recipients ON body_facts USING gin (s_recipients gin_trgm_ops);
    CREATE INDEX body_facts_s_subject ON body_facts USING gin (s_subject gin_trgm_ops);
    CREATE INDEX body_facts_s_body ON body_facts USING gin (s_body gin_trgm_ops);
    CREATE INDEX body_facts_s_message_id ON body_facts USING gin (s_message_id gin_trgm_ops);
    -- The catcher's list: groups are (internal_date, body_hash), newest first.
    CREATE INDEX messages_listing ON messages(internal_date DESC, body_hash COLLATE "C" DESC, mailbox_id, seen, deleted);
  `,
};
