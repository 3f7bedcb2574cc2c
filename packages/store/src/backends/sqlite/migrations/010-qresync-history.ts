import type { Migration } from './migration.js';

/**
 * Reserved number 011 (QRESYNC history); its version is its position in MIGRATIONS.
 *
 * - `expunged_uids`: the UIDs expunged from each mailbox with the mod-sequence of the expunge,
 *   so RFC 7162 QRESYNC (`SELECT ... (QRESYNC ...)`, `UID FETCH ... (CHANGEDSINCE n VANISHED)`)
 *   can name exactly what vanished since a client's mod-sequence, months later. Kept for
 *   EXPUNGED_HISTORY_RETENTION_MS (core/limits.ts), not for the hour the change feed keeps.
 * - `mailboxes.expunged_floor`: the history of a mailbox is complete above this mod-sequence.
 *   Pruning raises it; here it starts at each mailbox's HIGHESTMODSEQ, since nothing expunged
 *   before this migration was kept (docs/adr/0026).
 * - `mailboxes.recent_uid`: RFC 3501 2.3.2 \Recent across processes: the highest UID some
 *   session has claimed as \Recent. Messages that exist now are not new to anyone.
 */
export const migration010QresyncHistory: Migration = {
  version: 10,
  name: 'qresync-history',
  up(db) {
    db.exec(`
      CREATE TABLE expunged_uids (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        mailbox_id  INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
        uid         INTEGER NOT NULL,
        modseq      INTEGER NOT NULL,
        expunged_at INTEGER NOT NULL,
        UNIQUE (mailbox_id, uid)
      ) STRICT;
      CREATE INDEX expunged_uids_modseq ON expunged_uids(mailbox_id, modseq);
      CREATE INDEX expunged_uids_age ON expunged_uids(expunged_at);
      ALTER TABLE mailboxes ADD COLUMN expunged_floor INTEGER NOT NULL DEFAULT 0;
      UPDATE mailboxes SET expunged_floor = highest_modseq;
      ALTER TABLE mailboxes ADD COLUMN recent_uid INTEGER NOT NULL DEFAULT 0;
      UPDATE mailboxes SET recent_uid = uid_next - 1;
    `);
  },
};
