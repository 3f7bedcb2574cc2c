import type { SqliteDatabase } from './db.js';
import { MAX_OUTBOUND_ERROR_LENGTH } from '../../core/limits.js';
import { StoreError, type OutboundDsn, type OutboundEntry } from '../../core/types.js';

interface OutboundRow {
  id: number;
  sender: string;
  recipient: string;
  body_hash: string;
  size: number;
  created_at: number;
  next_attempt_at: number;
  attempts: number;
  last_error: string | null;
  status: OutboundEntry['status'];
  delay_notified: number;
  dsn: string | null;
}

const toEntry = (row: OutboundRow): OutboundEntry => ({
  id: row.id,
  sender: row.sender,
  recipient: row.recipient,
  bodyHash: row.body_hash,
  size: row.size,
  createdAt: new Date(row.created_at),
  nextAttemptAt: new Date(row.next_attempt_at),
  attempts: row.attempts,
  lastError: row.last_error,
  status: row.status,
  delayNotified: row.delay_notified !== 0,
  dsn: row.dsn === null ? null : (JSON.parse(row.dsn) as OutboundDsn),
});

const clip = (error: string): string => error.slice(0, MAX_OUTBOUND_ERROR_LENGTH);

/** The queue of mail for non-local recipients; each entry holds a reference to its body. */
export class OutboundQueue {
  private readonly insert;
  private readonly all;
  private readonly due;
  private readonly claim;
  private readonly remove;
  private readonly reschedule;
  private readonly fail;
  private readonly makeDue;
  private readonly notified;

  constructor(db: SqliteDatabase) {
    this.insert = db.prepare<[string, string, string, number, number, number, string | null], { id: number }>(
      'INSERT INTO outbound (sender, recipient, body_hash, size, created_at, next_attempt_at, dsn) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id',
    );
    this.all = db.prepare<[], OutboundRow>('SELECT * FROM outbound ORDER BY id');
    this.due = db.prepare<[number, number], { id: number }>(
      "SELECT id FROM outbound WHERE status IN ('queued', 'delivering') AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?",
    );
    this.claim = db.prepare<[number, number], OutboundRow>(
      "UPDATE outbound SET status = 'delivering', attempts = attempts + 1, next_attempt_at = ? WHERE id = ? RETURNING *",
    );
    this.remove = db.prepare('DELETE FROM outbound WHERE id = ?');
    this.reschedule = db.prepare(
      "UPDATE outbound SET status = 'queued', next_attempt_at = ?, last_error = ? WHERE id = ?",
    );
    this.fail = db.prepare("UPDATE outbound SET status = 'failed', last_error = ? WHERE id = ?");
    this.makeDue = db.prepare("UPDATE outbound SET status = 'queued', next_attempt_at = ? WHERE id = ?");
    this.notified = db.prepare('UPDATE outbound SET delay_notified = 1 WHERE id = ?');
  }

  enqueue(
    sender: string,
    recipient: string,
    bodyHash: string,
    size: number,
    dsn: OutboundDsn | null = null,
  ): number {
    const now = Date.now();
    const row = this.insert.get(
      sender,
      recipient,
      bodyHash,
      size,
      now,
      now,
      dsn === null ? null : JSON.stringify(dsn),
    );
    if (row === undefined) throw new StoreError('TEMPORARY', 'outbound insert returned no row');
    return row.id;
  }

  list(): OutboundEntry[] {
    return this.all.all().map(toEntry);
  }

  claimDue(limit: number, leaseMs: number): OutboundEntry[] {
    const now = Date.now();
    return this.due
      .all(now, limit)
      .flatMap((row) => this.claim.get(now + leaseMs, row.id) ?? [])
      .map(toEntry);
  }

  complete(id: number): void {
    this.mustChange(this.remove.run(id).changes, id);
  }

  retryAt(id: number, nextAttemptAt: Date, error: string): void {
    this.mustChange(this.reschedule.run(nextAttemptAt.getTime(), clip(error), id).changes, id);
  }

  markFailed(id: number, error: string): void {
    this.mustChange(this.fail.run(clip(error), id).changes, id);
  }

  retryNow(id: number): void {
    this.mustChange(this.makeDue.run(Date.now(), id).changes, id);
  }

  markDelayNotified(id: number): void {
    this.mustChange(this.notified.run(id).changes, id);
  }

  private mustChange(changes: number, id: number): void {
    if (changes === 0) throw new StoreError('NOT_FOUND', `no outbound entry ${id}`);
  }
}
