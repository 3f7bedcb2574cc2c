import type { Migration } from './migration.js';

/**
 * Version 2: the change feed other sessions and processes follow, the outbound queue for
 * non-local recipients, and POP3 maildrop locks.
 */
export const migration002FeedQueueLocks: Migration = {
  version: 2,
  name: 'feed-queue-locks',
  up(db) {
    db.exec(`
      -- AUTOINCREMENT: ids are never reused, so a reader's "last seen id" stays meaningful
      -- even after pruning. No foreign key: changes outlive deleted mailboxes on purpose.
      CREATE TABLE changes (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        mailbox_id INTEGER NOT NULL,
        kind       TEXT NOT NULL CHECK (kind IN ('new', 'flags', 'expunge', 'mailbox')),
        uid        INTEGER,
        modseq     INTEGER NOT NULL,
        flags      TEXT,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX changes_created ON changes(created_at);

      CREATE TABLE outbound (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        sender          TEXT NOT NULL,
        recipient       TEXT NOT NULL,
        body_hash       TEXT NOT NULL REFERENCES bodies(hash),
        size            INTEGER NOT NULL,
        created_at      INTEGER NOT NULL,
        next_attempt_at INTEGER NOT NULL,
        attempts        INTEGER NOT NULL DEFAULT 0,
        last_error      TEXT,
        status          TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'delivering', 'failed'))
      ) STRICT;
      CREATE INDEX outbound_due ON outbound(status, next_attempt_at);
      CREATE INDEX outbound_body ON outbound(body_hash);

      -- A queue entry holds its body like a message copy does.
      CREATE TRIGGER outbound_body_ref AFTER INSERT ON outbound BEGIN
        UPDATE bodies SET refcount = refcount + 1 WHERE hash = NEW.body_hash;
      END;
      CREATE TRIGGER outbound_body_unref AFTER DELETE ON outbound BEGIN
        UPDATE bodies SET refcount = refcount - 1 WHERE hash = OLD.body_hash;
        DELETE FROM bodies WHERE hash = OLD.body_hash AND refcount <= 0;
      END;

      -- RFC 1939 8: one POP3 session per maildrop. pid + hostname + heartbeat let another
      -- process tell a live holder from a crashed one.
      CREATE TABLE maildrop_locks (
        user_id      INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        owner        TEXT NOT NULL,
        pid          INTEGER NOT NULL,
        hostname     TEXT NOT NULL,
        heartbeat_at INTEGER NOT NULL
      ) STRICT;
    `);
  },
};
