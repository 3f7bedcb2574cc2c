import { StoreError } from '../../core/types.js';
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
): Promise<void> {
  await db.query(
    `INSERT INTO bodies (hash, size, data, refcount, structure) VALUES ($1, $2, $3, 0, $4)
     ON CONFLICT (hash) DO UPDATE SET refcount = bodies.refcount`,
    [hash, raw.length, Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), structure],
  );
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
