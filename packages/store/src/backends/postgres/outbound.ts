import { MAX_OUTBOUND_ERROR_LENGTH } from '../../core/limits.js';
import { StoreError, type OutboundDsn, type OutboundEntry } from '../../core/types.js';
import type { Queryable } from './connection.js';

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

async function mustChange(result: Promise<{ rowCount: number | null }>, id: number): Promise<void> {
  if (((await result).rowCount ?? 0) === 0) throw new StoreError('NOT_FOUND', `no outbound entry ${id}`);
}

export async function enqueue(
  db: Queryable,
  sender: string,
  recipient: string,
  bodyHash: string,
  size: number,
  dsn: OutboundDsn | null = null,
): Promise<number> {
  const now = Date.now();
  const row = (
    await db.query<{ id: number }>(
      'INSERT INTO outbound (sender, recipient, body_hash, size, created_at, next_attempt_at, dsn) VALUES ($1, $2, $3, $4, $5, $5, $6) RETURNING id',
      [sender, recipient, bodyHash, size, now, dsn === null ? null : JSON.stringify(dsn)],
    )
  ).rows[0];
  if (row === undefined) throw new StoreError('TEMPORARY', 'outbound insert returned no row');
  return row.id;
}

export async function listOutbound(db: Queryable): Promise<OutboundEntry[]> {
  return (await db.query<OutboundRow>('SELECT * FROM outbound ORDER BY id')).rows.map(toEntry);
}

/**
 * Claims due entries. FOR UPDATE SKIP LOCKED: a relay worker on another node claiming at the same
 * moment skips the rows this one is taking instead of waiting for them, so two workers never
 * take one entry, and neither blocks the other.
 */
export async function claimOutbound(db: Queryable, limit: number, leaseMs: number): Promise<OutboundEntry[]> {
  const now = Date.now();
  const due = (
    await db.query<{ id: number }>(
      `SELECT id FROM outbound WHERE status IN ('queued', 'delivering') AND next_attempt_at <= $1
       ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [now, limit],
    )
  ).rows.map((row) => row.id);
  if (due.length === 0) return [];
  const rows = (
    await db.query<OutboundRow>(
      `UPDATE outbound SET status = 'delivering', attempts = attempts + 1, next_attempt_at = $1
       WHERE id = ANY($2::bigint[]) RETURNING *`,
      [now + leaseMs, due],
    )
  ).rows;
  // In due order, as the SQLite backend returns them.
  return rows.sort((a, b) => due.indexOf(a.id) - due.indexOf(b.id)).map(toEntry);
}

export async function completeOutbound(db: Queryable, id: number): Promise<void> {
  await mustChange(db.query('DELETE FROM outbound WHERE id = $1', [id]), id);
}

export async function rescheduleOutbound(
  db: Queryable,
  id: number,
  nextAttemptAt: Date,
  error: string,
): Promise<void> {
  await mustChange(
    db.query("UPDATE outbound SET status = 'queued', next_attempt_at = $1, last_error = $2 WHERE id = $3", [
      nextAttemptAt.getTime(),
      clip(error),
      id,
    ]),
    id,
  );
}

export async function failOutbound(db: Queryable, id: number, error: string): Promise<void> {
  await mustChange(
    db.query("UPDATE outbound SET status = 'failed', last_error = $1 WHERE id = $2", [clip(error), id]),
    id,
  );
}

export async function retryOutbound(db: Queryable, id: number): Promise<void> {
  await mustChange(
    db.query("UPDATE outbound SET status = 'queued', next_attempt_at = $1 WHERE id = $2", [Date.now(), id]),
    id,
  );
}

export async function markOutboundDelayNotified(db: Queryable, id: number): Promise<void> {
  await mustChange(db.query('UPDATE outbound SET delay_notified = 1 WHERE id = $1', [id]), id);
}
