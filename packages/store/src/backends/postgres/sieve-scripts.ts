/**
 * Sieve scripts and the vacation reply record on PostgreSQL, as the SQLite backend keeps them.
 * Writes run on the batch transaction's client (ops.ts); reads on the pool.
 */
import {
  MAX_SIEVE_SCRIPTS,
  withinVacationPeriod,
  type ActiveSieveScript,
  type SieveScriptInfo,
} from '../../core/sieve-scripts.js';
import { StoreError } from '../../core/types.js';
import type { Queryable } from './connection.js';

export async function listSieveScripts(db: Queryable, userId: number): Promise<SieveScriptInfo[]> {
  const rows = await db.query<{ name: string; active: number }>(
    'SELECT name, active FROM sieve_scripts WHERE user_id = $1 ORDER BY name COLLATE "C"',
    [userId],
  );
  return rows.rows.map((r) => ({ name: r.name, active: Number(r.active) === 1 }));
}

async function scriptRow(
  db: Queryable,
  userId: number,
  name: string,
  lock = false,
): Promise<{ content: string; active: number } | undefined> {
  const rows = await db.query<{ content: string; active: number }>(
    `SELECT content, active FROM sieve_scripts WHERE user_id = $1 AND name = $2${lock ? ' FOR UPDATE' : ''}`,
    [userId, name],
  );
  return rows.rows[0];
}

export async function getSieveScript(db: Queryable, userId: number, name: string): Promise<string | null> {
  return (await scriptRow(db, userId, name))?.content ?? null;
}

export async function allSieveScripts(db: Queryable, userId: number): Promise<Map<string, string>> {
  const rows = await db.query<{ name: string; content: string }>(
    'SELECT name, content FROM sieve_scripts WHERE user_id = $1',
    [userId],
  );
  return new Map(rows.rows.map((r) => [r.name, r.content]));
}

export async function activeSieveScript(db: Queryable, userId: number): Promise<ActiveSieveScript | null> {
  const rows = await db.query<ActiveSieveScript>(
    `SELECT s.name AS name, s.content AS content, u.address AS address
     FROM sieve_scripts s JOIN users u ON u.id = s.user_id WHERE s.user_id = $1 AND s.active = 1`,
    [userId],
  );
  return rows.rows[0] ?? null;
}

/** Serializes one user's script changes across nodes (the count check, the one active mark). */
async function lockUser(db: Queryable, userId: number): Promise<void> {
  const rows = await db.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [userId]);
  if ((rows.rowCount ?? 0) === 0) throw new StoreError('NOT_FOUND', 'no such user');
}

export async function putSieveScript(
  db: Queryable,
  userId: number,
  name: string,
  content: string,
  now: number,
): Promise<void> {
  await lockUser(db, userId);
  if ((await scriptRow(db, userId, name)) === undefined) {
    const count = await db.query<{ n: string }>(
      'SELECT count(*) AS n FROM sieve_scripts WHERE user_id = $1',
      [userId],
    );
    if (Number(count.rows[0]?.n ?? 0) >= MAX_SIEVE_SCRIPTS)
      throw new StoreError('INVALID', `more than ${MAX_SIEVE_SCRIPTS} scripts`);
  }
  await db.query(
    `INSERT INTO sieve_scripts (user_id, name, content, updated_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (user_id, name) DO UPDATE SET content = excluded.content, updated_at = excluded.updated_at`,
    [userId, name, content, now],
  );
}

export async function deleteSieveScript(db: Queryable, userId: number, name: string): Promise<void> {
  const row = await scriptRow(db, userId, name, true);
  if (row === undefined) throw new StoreError('NOT_FOUND', 'no such script');
  if (Number(row.active) === 1) throw new StoreError('LOCKED', 'the active script cannot be deleted');
  await db.query('DELETE FROM sieve_scripts WHERE user_id = $1 AND name = $2', [userId, name]);
}

export async function renameSieveScript(
  db: Queryable,
  userId: number,
  from: string,
  to: string,
): Promise<void> {
  await lockUser(db, userId);
  if ((await scriptRow(db, userId, from)) === undefined) throw new StoreError('NOT_FOUND', 'no such script');
  if (from === to) return;
  if ((await scriptRow(db, userId, to)) !== undefined)
    throw new StoreError('ALREADY_EXISTS', 'a script with that name exists');
  await db.query('UPDATE sieve_scripts SET name = $1 WHERE user_id = $2 AND name = $3', [to, userId, from]);
}

export async function activateSieveScript(db: Queryable, userId: number, name: string | null): Promise<void> {
  await lockUser(db, userId);
  if (name !== null && (await scriptRow(db, userId, name)) === undefined)
    throw new StoreError('NOT_FOUND', 'no such script');
  await db.query('UPDATE sieve_scripts SET active = 0 WHERE user_id = $1 AND active = 1', [userId]);
  if (name !== null)
    await db.query('UPDATE sieve_scripts SET active = 1 WHERE user_id = $1 AND name = $2', [userId, name]);
}

export async function claimVacationReply(
  db: Queryable,
  userId: number,
  handle: string,
  sender: string,
  days: number,
  now: number,
): Promise<boolean> {
  // Insert-or-lock first, so two nodes delivering to the same sender at once see one row.
  const inserted = await db.query(
    `INSERT INTO sieve_vacation_replies (user_id, handle, sender, sent_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (user_id, handle, sender) DO NOTHING`,
    [userId, handle, sender, now],
  );
  if ((inserted.rowCount ?? 0) === 1) return true;
  const row = (
    await db.query<{ sent_at: string }>(
      'SELECT sent_at FROM sieve_vacation_replies WHERE user_id = $1 AND handle = $2 AND sender = $3 FOR UPDATE',
      [userId, handle, sender],
    )
  ).rows[0];
  if (row !== undefined && withinVacationPeriod(Number(row.sent_at), days, now)) return false;
  await db.query(
    'UPDATE sieve_vacation_replies SET sent_at = $4 WHERE user_id = $1 AND handle = $2 AND sender = $3',
    [userId, handle, sender, now],
  );
  return true;
}
