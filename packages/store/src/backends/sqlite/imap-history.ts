import type { SqliteDatabase } from './db.js';
import { StoreError, type ExpungedSince } from '../../core/types.js';

/**
 * RFC 7162 QRESYNC: the UIDs expunged from each mailbox, with the mod-sequence of the expunge,
 * kept for EXPUNGED_HISTORY_RETENTION_MS (pruned by age, not by the change feed's hour). Each
 * mailbox's `expunged_floor` says above which mod-sequence its history is complete (docs/adr/0026).
 */
export class ExpungedHistory {
  private readonly insert;
  private readonly selectSince;
  private readonly selectFloor;
  private readonly raiseFloors;
  private readonly deleteOld;

  constructor(db: SqliteDatabase) {
    // A UID is expunged once (UIDs are never reused); a repeat keeps the later mod-sequence.
    this.insert = db.prepare(
      `INSERT INTO expunged_uids (mailbox_id, uid, modseq, expunged_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (mailbox_id, uid) DO UPDATE SET modseq = MAX(modseq, excluded.modseq)`,
    );
    this.selectSince = db
      .prepare<[number, number], number>(
        'SELECT uid FROM expunged_uids WHERE mailbox_id = ? AND modseq > ? ORDER BY uid',
      )
      .pluck();
    this.selectFloor = db
      .prepare<[number], number>('SELECT expunged_floor FROM mailboxes WHERE id = ?')
      .pluck();
    this.raiseFloors = db.prepare<[number, number]>(
      `UPDATE mailboxes SET expunged_floor = MAX(expunged_floor,
         (SELECT MAX(e.modseq) FROM expunged_uids e WHERE e.mailbox_id = mailboxes.id AND e.expunged_at < ?))
       WHERE id IN (SELECT mailbox_id FROM expunged_uids WHERE expunged_at < ?)`,
    );
    this.deleteOld = db.prepare<[number]>('DELETE FROM expunged_uids WHERE expunged_at < ?');
  }

  /** Called for every expunge the change log records (inside the write's transaction). */
  record(mailboxId: number, uid: number, modseq: number): void {
    this.insert.run(mailboxId, uid, modseq, Date.now());
  }

  since(mailboxId: number, modseq: number): ExpungedSince {
    const floor = this.selectFloor.get(mailboxId);
    if (floor === undefined) throw new StoreError('NOT_FOUND', `no mailbox with id ${mailboxId}`);
    return { uids: this.selectSince.all(mailboxId, modseq), complete: modseq >= floor };
  }

  prune(before: number): void {
    this.raiseFloors.run(before, before);
    this.deleteOld.run(before);
  }
}

/**
 * RFC 3501 2.3.2 \Recent across processes: the highest UID of each mailbox some session has
 * claimed. Claiming runs in the write transaction, so two processes never claim one UID.
 */
export class RecentMarks {
  private readonly select;
  private readonly update;

  constructor(db: SqliteDatabase) {
    this.select = db.prepare<[number], number>('SELECT recent_uid FROM mailboxes WHERE id = ?').pluck();
    this.update = db.prepare<[number, number]>('UPDATE mailboxes SET recent_uid = ? WHERE id = ?');
  }

  mark(mailboxId: number): number {
    const mark = this.select.get(mailboxId);
    if (mark === undefined) throw new StoreError('NOT_FOUND', `no mailbox with id ${mailboxId}`);
    return mark;
  }

  claim(mailboxId: number, uid: number): number {
    const previous = this.mark(mailboxId);
    if (uid > previous) this.update.run(uid, mailboxId);
    return previous;
  }
}
