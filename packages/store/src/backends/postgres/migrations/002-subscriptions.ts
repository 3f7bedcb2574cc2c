import type { PostgresMigration } from './migration.js';

/**
 * Version 2, as SQLite's version 5: subscriptions are a list of names per user, not a column of
 * mailboxes (RFC 3501 6.3.6, RFC 9051 6.3.7, RFC 5258): a name stays subscribed after its mailbox
 * is deleted, and a name without a mailbox can be subscribed. What was subscribed stays subscribed.
 */
export const migration002Subscriptions: PostgresMigration = {
  version: 2,
  name: 'subscriptions',
  sql: `
    CREATE TABLE subscriptions (
      user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      name    text NOT NULL,
      PRIMARY KEY (user_id, name)
    );
    INSERT INTO subscriptions (user_id, name)
      SELECT user_id, name FROM mailboxes WHERE subscribed = 1 AND noselect = 0;
    ALTER TABLE mailboxes DROP COLUMN subscribed;
  `,
};
