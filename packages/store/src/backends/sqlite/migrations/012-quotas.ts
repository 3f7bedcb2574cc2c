import type { Migration } from './migration.js';

/**
 * Quotas (issue 18). Version 12.
 * A user's limits in octets and in messages (NULL: the domain's default; NULL there too: none), and the user's usage kept exact by triggers in the same transaction as every message row
 * inserted or deleted (delivery, APPEND, COPY, expunge, mailbox and user deletion), so no code path
 * can forget it. MOVE and RENAME change a row's mailbox within the same user: usage is unchanged.
 * A deleted mailbox's messages are counted out before the row goes (its cascade comes after).
 */
export const migration012Quotas: Migration = {
  version: 12,
  name: 'quotas',
  up(db) {
    db.exec(`
      ALTER TABLE domains ADD COLUMN quota_bytes INTEGER;
      ALTER TABLE domains ADD COLUMN quota_messages INTEGER;
      ALTER TABLE users ADD COLUMN quota_bytes INTEGER;
      ALTER TABLE users ADD COLUMN quota_messages INTEGER;
      ALTER TABLE users ADD COLUMN used_bytes INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE users ADD COLUMN used_messages INTEGER NOT NULL DEFAULT 0;
      CREATE TRIGGER messages_usage_insert AFTER INSERT ON messages BEGIN
        UPDATE users SET used_bytes = used_bytes + NEW.size, used_messages = used_messages + 1
        WHERE id = (SELECT user_id FROM mailboxes WHERE id = NEW.mailbox_id);
      END;
      CREATE TRIGGER messages_usage_delete AFTER DELETE ON messages BEGIN
        UPDATE users SET used_bytes = used_bytes - OLD.size, used_messages = used_messages - 1
        WHERE id = (SELECT user_id FROM mailboxes WHERE id = OLD.mailbox_id);
      END;
      -- A mailbox deleted with messages still in it: its messages go by ON DELETE CASCADE after the
      -- mailbox row, when the trigger above can no longer find their user. Count them out here.
      CREATE TRIGGER mailboxes_usage_delete BEFORE DELETE ON mailboxes BEGIN
        UPDATE users SET
          used_bytes = used_bytes - COALESCE((SELECT SUM(size) FROM messages WHERE mailbox_id = OLD.id), 0),
          used_messages = used_messages - (SELECT COUNT(*) FROM messages WHERE mailbox_id = OLD.id)
        WHERE id = OLD.user_id;
      END;
      UPDATE users SET
        used_bytes = COALESCE((SELECT SUM(m.size) FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id
                               WHERE b.user_id = users.id), 0),
        used_messages = (SELECT COUNT(*) FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id
                         WHERE b.user_id = users.id);
    `);
  },
};
