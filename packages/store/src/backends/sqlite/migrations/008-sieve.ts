import type { Migration } from './migration.js';

/**
 * Sieve scripts per user (RFC 5804 names; at most one active) and the vacation reply record
 * (RFC 5230 4.1: one reply per sender per :days period, per vacation handle). Reserved number 010
 * (issue 19); its version is its position in MIGRATIONS. The integer ids are only keys for
 * `store copy`, which pages every table by one key column.
 */
export const migration008Sieve: Migration = {
  version: 8,
  name: 'sieve',
  up(db) {
    db.exec(`
      CREATE TABLE sieve_scripts (
        id         INTEGER PRIMARY KEY,
        user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name       TEXT NOT NULL,
        content    TEXT NOT NULL,
        active     INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
        updated_at INTEGER NOT NULL,
        UNIQUE (user_id, name)
      ) STRICT;
      -- RFC 5804 1.4 / 2.8: at most one active script per user.
      CREATE UNIQUE INDEX sieve_scripts_one_active ON sieve_scripts(user_id) WHERE active = 1;

      CREATE TABLE sieve_vacation_replies (
        id      INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        handle  TEXT NOT NULL,
        sender  TEXT NOT NULL,
        sent_at INTEGER NOT NULL,
        UNIQUE (user_id, handle, sender)
      ) STRICT;
    `);
  },
};
