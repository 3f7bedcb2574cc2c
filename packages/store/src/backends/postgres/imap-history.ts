import { StoreError, type ExpungedSince } from '../../core/types.js';
import type { Queryable } from './connection.js';
import type { ChangeRecord } from './write-queue.js';

/**
 * RFC 7162 QRESYNC history and RFC 3501 2.3.2 \Recent marks on PostgreSQL, as the SQLite
 * backend keeps them (its imap-history.ts; docs/adr/0026).
 */

/**
 * Adds the batch's expunges to the history, in the batch transaction. A mailbox deleted later in
 * the same batch has no history to keep (its rows would go with it anyway).
 */
export async function appendExpunged(client: Queryable, changes: readonly ChangeRecord[]): Promise<void> {
  const expunged = changes.filter((change) => change.kind === 'expunge' && change.uid !== null);
  if (expunged.length === 0) return;
  await client.query(
    `INSERT INTO expunged_uids (mailbox_id, uid, modseq, expunged_at)
     SELECT c.mailbox_id, c.uid, MAX(c.modseq), $4::bigint
       FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS c(mailbox_id, uid, modseq)
      WHERE EXISTS (SELECT 1 FROM mailboxes m WHERE m.id = c.mailbox_id)
      GROUP BY c.mailbox_id, c.uid
     ON CONFLICT (mailbox_id, uid) DO UPDATE SET modseq = GREATEST(expunged_uids.modseq, excluded.modseq)`,
    [
      expunged.map((change) => change.mailboxId),
      expunged.map((change) => change.uid),
      expunged.map((change) => change.modseq),
      Date.now(),
    ],
  );
}

export async function expungedSince(
  db: Queryable,
  mailboxId: number,
  modseq: number,
): Promise<ExpungedSince> {
  const floor = await db.query<{ expunged_floor: string }>(
    'SELECT expunged_floor FROM mailboxes WHERE id = $1',
    [mailboxId],
  );
  const row = floor.rows[0];
  if (row === undefined) throw new StoreError('NOT_FOUND', `no mailbox with id ${mailboxId}`);
  const uids = await db.query<{ uid: string }>(
    'SELECT uid FROM expunged_uids WHERE mailbox_id = $1 AND modseq > $2 ORDER BY uid',
    [mailboxId, modseq],
  );
  return { uids: uids.rows.map((r) => Number(r.uid)), complete: modseq >= Number(row.expunged_floor) };
}

export async function pruneExpunged(db: Queryable, before: number): Promise<void> {
  await db.query(
    `UPDATE mailboxes m SET expunged_floor = GREATEST(m.expunged_floor, old.modseq)
       FROM (SELECT mailbox_id, MAX(modseq) AS modseq FROM expunged_uids WHERE expunged_at < $1
              GROUP BY mailbox_id) old
      WHERE m.id = old.mailbox_id`,
    [before],
  );
  await db.query('DELETE FROM expunged_uids WHERE expunged_at < $1', [before]);
}

export async function recentMark(db: Queryable, mailboxId: number): Promise<number> {
  const result = await db.query<{ recent_uid: string }>('SELECT recent_uid FROM mailboxes WHERE id = $1', [
    mailboxId,
  ]);
  const row = result.rows[0];
  if (row === undefined) throw new StoreError('NOT_FOUND', `no mailbox with id ${mailboxId}`);
  return Number(row.recent_uid);
}

/** Raises the mark under the row's lock, so two nodes never claim one UID. */
export async function claimRecent(db: Queryable, mailboxId: number, uid: number): Promise<number> {
  const result = await db.query<{ recent_uid: string }>(
    'SELECT recent_uid FROM mailboxes WHERE id = $1 FOR UPDATE',
    [mailboxId],
  );
  const row = result.rows[0];
  if (row === undefined) throw new StoreError('NOT_FOUND', `no mailbox with id ${mailboxId}`);
  const previous = Number(row.recent_uid);
  if (uid > previous) await db.query('UPDATE mailboxes SET recent_uid = $1 WHERE id = $2', [uid, mailboxId]);
  return previous;
}
