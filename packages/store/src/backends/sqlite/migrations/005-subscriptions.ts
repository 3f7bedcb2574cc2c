import type { Migration } from './migration.js';

/**
 * Version 5: subscriptions are a list of names per user, not a column of mailboxes (RFC 3501
 * 6.3.6, RFC 9051 6.3.7, RFC 5258): a name stays subscribed after its mailbox is deleted, and a
 * name without a mailbox can be subscribed or unsubscribed. What was subscribed stays subscribed.
 * The integer id is only a key for `store copy`, which pages every table by one key column.
 */
export const migration005Subscriptions: Migration = {
  version: 5,
  name: 'subscriptions',
  up(db) {
    db.exec(`
      CREATE TABLE subscriptions (
        id      INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name    TEXT NOT NULL,
        UNIQUE (user_id, name)
      ) STRICT;
      INSERT INTO subscriptions (user_id, name)
        SELECT user_id, name FROM mailboxes WHERE subscribed = 1 AND noselect = 0;
      ALTER TABLE mailboxes DROP COLUMN subscribed;
    `);
  },
};
