import type { Migration } from './migration.js';

/**
 * Recorded conversations in the shared store (issue 16, docs/adr/0035), so every process on the
 * file sees every session. Migration 013; its version is its position.
 * Sessions are kept in `seq` order (oldest first dropped); lines and links hang off `seq`.
 * `version` stamps each write (one counter in transcript_meta, bumped by every write under the
 * file's single writer), so a reader asks for "what changed after version n" and misses nothing.
 * `dropped` counts the sessions the bounds removed. No foreign keys: the writer deletes a
 * session's lines and links with it, and links outlive the messages they name on purpose.
 */
export const migration013Transcripts: Migration = {
  version: 13,
  name: 'transcripts',
  up(db) {
    db.exec(`
      CREATE TABLE transcript_meta (
        id      INTEGER PRIMARY KEY CHECK (id = 1),
        version INTEGER NOT NULL,
        dropped INTEGER NOT NULL
      ) STRICT;
      INSERT INTO transcript_meta (id, version, dropped) VALUES (1, 0, 0);
      CREATE TABLE transcript_sessions (
        seq           INTEGER PRIMARY KEY AUTOINCREMENT,
        id            TEXT NOT NULL UNIQUE,
        origin        TEXT NOT NULL,
        version       INTEGER NOT NULL,
        protocol      TEXT NOT NULL,
        remote_ip     TEXT NOT NULL,
        started_at    INTEGER NOT NULL,
        ended_at      INTEGER,
        user          TEXT,
        addresses     TEXT NOT NULL,
        tls           INTEGER NOT NULL,
        line_count    INTEGER NOT NULL,
        dropped_lines INTEGER NOT NULL,
        bytes         INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX transcript_sessions_version ON transcript_sessions(version);
      CREATE TABLE transcript_lines (
        session_seq INTEGER NOT NULL,
        idx         INTEGER NOT NULL,
        version     INTEGER NOT NULL,
        at          INTEGER NOT NULL,
        dir         TEXT NOT NULL,
        text        TEXT NOT NULL,
        PRIMARY KEY (session_seq, idx)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX transcript_lines_version ON transcript_lines(version);
      CREATE TABLE transcript_links (
        session_seq   INTEGER NOT NULL,
        line          INTEGER NOT NULL,
        mailbox_id    INTEGER NOT NULL,
        uid           INTEGER NOT NULL,
        action        TEXT NOT NULL,
        to_mailbox_id INTEGER,
        to_uid        INTEGER
      ) STRICT;
      CREATE INDEX transcript_links_session ON transcript_links(session_seq);
      CREATE INDEX transcript_links_copy ON transcript_links(mailbox_id, uid);
      CREATE INDEX transcript_links_to ON transcript_links(to_mailbox_id, to_uid);
    `);
  },
};
