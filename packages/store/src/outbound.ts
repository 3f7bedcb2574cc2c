import type { SqliteDatabase } from './db.js';
import type { OutboundEntry } from './types.js';

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
});

/** The queue of mail for non-local recipients; each entry holds a reference to its body. */
export class OutboundQueue {
  private readonly insert;
  private readonly all;

  constructor(db: SqliteDatabase) {
    this.insert = db.prepare<[string, string, string, number, number, number], { id: number }>(
      'INSERT INTO outbound (sender, recipient, body_hash, size, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id',
    );
    this.all = db.prepare<[], OutboundRow>('SELECT * FROM outbound ORDER BY id');
  }

  enqueue(sender: string, recipient: string, bodyHash: string, size: number): number {
    const now = Date.now();
    const row = this.insert.get(sender, recipient, bodyHash, size, now, now);
    if (row === undefined) throw new Error('outbound insert returned no row');
    return row.id;
  }

  list(): OutboundEntry[] {
    return this.all.all().map(toEntry);
  }
}
