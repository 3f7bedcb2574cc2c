import type { Migration } from './migration.js';

/**
 * Version 1: the directory (domains, users, aliases), mailboxes, messages and content-addressed
 * bodies. Times are integer milliseconds since the epoch. Users, mailboxes and messages use
 * AUTOINCREMENT so an id is never reused: sessions and the change feed hold ids of things that
 * may be deleted meanwhile, and must never mistake a new mailbox for the old one.
 */
export const migration001Core: Migration = {
  version: 1,
  name: 'core',
  up(db) {
    db.exec(`
      -- Small key/value facts, e.g. the last UIDVALIDITY handed out.
      CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE domains (
        id         INTEGER PRIMARY KEY,
        name       TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE users (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        address       TEXT NOT NULL UNIQUE,
        domain_id     INTEGER NOT NULL REFERENCES domains(id) ON DELETE RESTRICT,
        password_hash TEXT,
        created_at    INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX users_domain ON users(domain_id);

      -- source is 'user@domain' or '@domain' (catch-all).
      CREATE TABLE aliases (
        id          INTEGER PRIMARY KEY,
        source      TEXT NOT NULL,
        destination TEXT NOT NULL,
        UNIQUE (source, destination)
      ) STRICT;
      CREATE INDEX aliases_destination ON aliases(destination);

      CREATE TABLE mailboxes (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        user_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name           TEXT NOT NULL,
        special_use    TEXT,
        subscribed     INTEGER NOT NULL DEFAULT 1,
        noselect       INTEGER NOT NULL DEFAULT 0,
        uid_validity   INTEGER NOT NULL,
        uid_next       INTEGER NOT NULL DEFAULT 1,
        highest_modseq INTEGER NOT NULL DEFAULT 1,
        UNIQUE (user_id, name)
      ) STRICT;

      CREATE TABLE bodies (
        hash     TEXT PRIMARY KEY,
        size     INTEGER NOT NULL,
        data     BLOB NOT NULL,
        refcount INTEGER NOT NULL DEFAULT 0
      ) STRICT;

      -- flags: space-separated (flags and keywords are IMAP atoms, which never contain spaces).
      -- seen/deleted mirror two flags so counts and EXPUNGE use partial indexes.
      CREATE TABLE messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        mailbox_id    INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
        uid           INTEGER NOT NULL,
        body_hash     TEXT NOT NULL REFERENCES bodies(hash),
        size          INTEGER NOT NULL,
        internal_date INTEGER NOT NULL,
        flags         TEXT NOT NULL DEFAULT '',
        seen          INTEGER NOT NULL DEFAULT 0,
        deleted       INTEGER NOT NULL DEFAULT 0,
        modseq        INTEGER NOT NULL,
        UNIQUE (mailbox_id, uid)
      ) STRICT;
      CREATE INDEX messages_unseen ON messages(mailbox_id, uid) WHERE seen = 0;
      CREATE INDEX messages_deleted ON messages(mailbox_id, uid) WHERE deleted = 1;
      -- Lets deleting a body check its foreign key without scanning every message.
      CREATE INDEX messages_body ON messages(body_hash);

      -- Reference counting: every message row is one reference to its body; the last one out
      -- removes the body. Triggers also fire for ON DELETE CASCADE, so removing a user or mailbox
      -- releases its bodies too.
      CREATE TRIGGER messages_body_ref AFTER INSERT ON messages BEGIN
        UPDATE bodies SET refcount = refcount + 1 WHERE hash = NEW.body_hash;
      END;
      CREATE TRIGGER messages_body_unref AFTER DELETE ON messages BEGIN
        UPDATE bodies SET refcount = refcount - 1 WHERE hash = OLD.body_hash;
        DELETE FROM bodies WHERE hash = OLD.body_hash AND refcount <= 0;
      END;
    `);
  },
};
