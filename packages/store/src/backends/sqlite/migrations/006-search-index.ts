import type { Migration } from './migration.js';

/**
 * Version 6: the mail catcher's search index (docs/adr/0017). One row of facts per stored body
 * (`body_facts`: the list columns, so a page of the list reads no body) and an FTS5 table over the
 * searchable text with the trigram tokenizer (substring search like Mailpit's, any language, no
 * stemming). Both are written by the delivery that stores the body, in its transaction
 * (search/search-index.ts), and removed by the trigger below when the body's last reference goes.
 */
export const migration006SearchIndex: Migration = {
  version: 6,
  name: 'search-index',
  up(db) {
    db.exec(`
      CREATE TABLE body_facts (
        id           INTEGER PRIMARY KEY,
        hash         TEXT NOT NULL UNIQUE,
        from_json    TEXT NOT NULL,
        to_json      TEXT NOT NULL,
        cc_json      TEXT NOT NULL,
        bcc_json     TEXT NOT NULL,
        reply_json   TEXT NOT NULL,
        subject      TEXT NOT NULL,
        message_id   TEXT NOT NULL,
        snippet      TEXT NOT NULL,
        attachments  INTEGER NOT NULL
      ) STRICT;
      -- rowid = body_facts.id. Columns: who sent, who received, subject, every text part.
      CREATE VIRTUAL TABLE body_search USING fts5(
        sender, recipients, subject, body, message_id, tokenize = 'trigram'
      );
      CREATE TRIGGER body_facts_forget AFTER DELETE ON bodies BEGIN
        DELETE FROM body_search WHERE rowid = (SELECT id FROM body_facts WHERE hash = old.hash);
        DELETE FROM body_facts WHERE hash = old.hash;
      END;
      -- The catcher's list: groups are (internal_date, body_hash) in this order, and the index holds
      -- every column the grouping and its filters read, so listing 100,000 copies scans only it.
      -- id -> hash without reading the wide facts rows (a search maps thousands of matches).
      CREATE INDEX body_facts_id_hash ON body_facts(id, hash);
      CREATE INDEX messages_listing ON messages(internal_date, body_hash, mailbox_id, seen, deleted);
      -- A search starts from the bodies the full-text index matched: their copies by body hash.
      CREATE INDEX messages_by_body ON messages(body_hash, internal_date, mailbox_id, seen, deleted);
      -- The catcher's tag list reads only copies that carry more than the Seen flag.
      CREATE INDEX messages_keywords ON messages(flags, mailbox_id) WHERE flags <> '' AND flags <> '\\Seen';
    `);
  },
};
