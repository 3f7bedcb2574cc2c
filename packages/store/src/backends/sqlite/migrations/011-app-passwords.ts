import type { Migration } from './migration.js';

/**
 * Per-user app passwords (issue 18). Version 11.
 * Only the sha256 of each generated secret is kept (core/app-passwords.ts); a login finds it by
 * (user, hash). Deleting the user deletes them.
 */
export const migration011AppPasswords: Migration = {
  version: 11,
  name: 'app-passwords',
  up(db) {
    db.exec(`
      CREATE TABLE app_passwords (
        id         INTEGER PRIMARY KEY,
        user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name       TEXT NOT NULL,
        hash       TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        UNIQUE (user_id, name),
        UNIQUE (user_id, hash)
      ) STRICT;
    `);
  },
};
