import { parseSortKeyList } from '../../core/sort-key-list.js';
import { StoreError, type BodySortKeys, type MessageSortKeyList } from '../../core/types.js';
import type { Queryable } from './connection.js';

/**
 * Content-addressed bodies, stored once per sha256 and reference-counted by triggers (migration
 * 001), as in SQLite. ON CONFLICT DO UPDATE (rather than DO NOTHING) takes the existing row's
 * lock: a concurrent transaction dropping the last reference waits for ours, or, if it committed
 * first, our insert finds no conflict and stores the body afresh. Must be followed, in the same
 * op, by at least one row that references the body.
 */
export async function storeBody(
  db: Queryable,
  hash: string,
  raw: Uint8Array,
  structure: string | null,
  sortKeys: string | null = null,
): Promise<void> {
  await db.query(
    `INSERT INTO bodies (hash, size, data, refcount, structure, sort_keys) VALUES ($1, $2, $3, 0, $4, $5)
     ON CONFLICT (hash) DO UPDATE SET refcount = bodies.refcount`,
    [hash, raw.length, Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), structure, sortKeys],
  );
}

/** Sort keys for bodies without any (docs/adr/0037), in one statement; recorded keys are immutable. */
export async function recordSortKeys(db: Queryable, entries: readonly BodySortKeys[]): Promise<void> {
  if (entries.length === 0) return;
  await db.query(
    `UPDATE bodies SET sort_keys = e.keys
     FROM unnest($1::text[], $2::text[]) AS e(hash, keys)
     WHERE bodies.hash = e.hash AND bodies.sort_keys IS NULL`,
    [entries.map((entry) => entry.bodyHash), entries.map((entry) => entry.sortKeys)],
  );
}

/**
 * A mailbox's UIDs, internal dates, sizes and body sort keys as one JSON array text built by
 * PostgreSQL, as the SQLite backend (core/sort-key-list.ts).
 */
export async function listSortKeys(db: Queryable, mailboxId: number): Promise<MessageSortKeyList> {
  const row = (
    await db.query<{ list: string | null }>(
      `SELECT '[' || string_agg('[' || m.uid || ',' || m.internal_date || ',' || m.size || ','
                || COALESCE(b.sort_keys, 'null') || ']', ',' ORDER BY m.uid) || ']' AS list
       FROM messages AS m JOIN bodies AS b ON b.hash = m.body_hash
       WHERE m.mailbox_id = $1`,
      [mailboxId],
    )
  ).rows[0];
  return parseSortKeyList(row?.list ?? null);
}

export async function readBody(db: Queryable, hash: string): Promise<Buffer> {
  const row = (await db.query<{ data: Buffer }>('SELECT data FROM bodies WHERE hash = $1', [hash])).rows[0];
  if (row === undefined) throw new StoreError('NOT_FOUND', `no body ${hash}`);
  return row.data;
}

export async function readStructure(db: Queryable, hash: string): Promise<string | null> {
  const row = (
    await db.query<{ structure: string | null }>('SELECT structure FROM bodies WHERE hash = $1', [hash])
  ).rows[0];
  if (row === undefined) throw new StoreError('NOT_FOUND', `no body ${hash}`);
  return row.structure;
}
