import type { Migration } from './migration.js';

/**
 * Version 4: DKIM signing keys (RFC 6376), one per local domain, kept in the store so every
 * process that relays mail signs with the same key; and a per-entry mark on the outbound queue
 * so the "still trying" delay notice (RFC 3464 action=delayed) is sent once, not on every retry.
 */
export const migration004DkimKeys: Migration = {
  version: 4,
  name: 'dkim-keys',
  up(db) {
    db.exec(`
      -- No foreign key to domains: a key may be generated before its domain is added, and
      -- removing a domain must not silently destroy a key that is still published in DNS.
      CREATE TABLE dkim_keys (
        domain      TEXT PRIMARY KEY,
        selector    TEXT NOT NULL,
        algorithm   TEXT NOT NULL CHECK (algorithm IN ('rsa-sha256', 'ed25519-sha256')),
        private_key TEXT NOT NULL,
        public_key  TEXT NOT NULL,
        created_at  INTEGER NOT NULL
      ) STRICT;
      ALTER TABLE outbound ADD COLUMN delay_notified INTEGER NOT NULL DEFAULT 0;
    `);
  },
};
