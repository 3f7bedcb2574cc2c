import type { PostgresMigration } from './migration.js';

/**
 * Quotas (issue 18), as the SQLite backend's quotas migration: a user's limits in octets and in
 * messages (NULL: the domain's default; NULL there too: none), and the user's usage kept exact by
 * row triggers in the same transaction as every message row inserted or deleted (delivery, APPEND,
 * COPY, expunge, mailbox and user deletion; row triggers also fire for ON DELETE CASCADE). MOVE
 * changes a row's mailbox within the same user: usage is unchanged. A deleted mailbox's messages
 * are counted out before its row goes, as their cascade can no longer find the user.
 * Two nodes delivering to the same user serialise on the user's row; a deadlock between batches
 * is retried by the write queue (write-queue.ts).
 * Version 9.
 */
export const migration009Quotas: PostgresMigration = {
  version: 9,
  name: 'quotas',
  sql: `
    ALTER TABLE domains ADD COLUMN quota_bytes bigint, ADD COLUMN quota_messages bigint;
    ALTER TABLE users ADD COLUMN quota_bytes bigint, ADD COLUMN quota_messages bigint,
      ADD COLUMN used_bytes bigint NOT NULL DEFAULT 0, ADD COLUMN used_messages bigint NOT NULL DEFAULT 0;

    CREATE FUNCTION minimail_usage_insert() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE users SET used_bytes = used_bytes + NEW.size, used_messages = used_messages + 1
      WHERE id = (SELECT user_id FROM mailboxes WHERE id = NEW.mailbox_id);
      RETURN NULL;
    END $$;
    CREATE FUNCTION minimail_usage_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE users SET used_bytes = used_bytes - OLD.size, used_messages = used_messages - 1
      WHERE id = (SELECT user_id FROM mailboxes WHERE id = OLD.mailbox_id);
      RETURN NULL;
    END $$;
    CREATE FUNCTION minimail_usage_mailbox_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE users SET
        used_bytes = used_bytes - COALESCE((SELECT SUM(size) FROM messages WHERE mailbox_id = OLD.id), 0),
        used_messages = used_messages - (SELECT COUNT(*) FROM messages WHERE mailbox_id = OLD.id)
      WHERE id = OLD.user_id;
      RETURN OLD;
    END $$;
    CREATE TRIGGER messages_usage_insert AFTER INSERT ON messages
      FOR EACH ROW EXECUTE FUNCTION minimail_usage_insert();
    CREATE TRIGGER messages_usage_delete AFTER DELETE ON messages
      FOR EACH ROW EXECUTE FUNCTION minimail_usage_delete();
    CREATE TRIGGER mailboxes_usage_delete BEFORE DELETE ON mailboxes
      FOR EACH ROW EXECUTE FUNCTION minimail_usage_mailbox_delete();

    UPDATE users SET
      used_bytes = COALESCE((SELECT SUM(m.size) FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id
                             WHERE b.user_id = users.id), 0),
      used_messages = (SELECT COUNT(*) FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id
                       WHERE b.user_id = users.id);
  `,
};
