import type { SqliteDatabase } from './db.js';
import { parseSortKeyList } from '../../core/sort-key-list.js';
import { StoreError, type BodySortKeys, type MessageSortKeyList } from '../../core/types.js';

/**
 * `[uid,internal_date,size,keys]` per message, joined into one JSON array text by SQLite (the
 * stored keys are JSON already: embedded as they are). The subquery's ORDER BY is served by the
 * (mailbox_id, uid) index; `parseSortKeyList` still checks the order.
 */
export const SORT_KEY_LIST_SQL = `SELECT '[' || group_concat(
    '[' || m.uid || ',' || m.internal_date || ',' || m.size || ',' || COALESCE(b.sort_keys, 'null') || ']', ','
  ) || ']'
  FROM (SELECT uid, internal_date, size, body_hash FROM messages WHERE mailbox_id = ? ORDER BY uid) AS m
  JOIN bodies AS b ON b.hash = m.body_hash`;

/**
 * Content-addressed bodies, stored once and shared by every copy. Reference counts are kept by
 * triggers on `messages` and `outbound` (migrations 001/002): inserting a row that names a body
 * adds a reference, deleting it (also by cascade) removes one, and the last one out deletes it.
 */
export class Bodies {
  private readonly insert;
  private readonly read;
  private readonly readStructureStmt;
  private readonly recordSortKeysStmt;
  private readonly sortKeyListStmt;

  constructor(db: SqliteDatabase) {
    // refcount starts at 0: the message/outbound rows inserted next in the same op count themselves.
    this.insert = db.prepare(
      'INSERT INTO bodies (hash, size, data, refcount, structure, sort_keys) VALUES (?, ?, ?, 0, ?, ?) ON CONFLICT (hash) DO NOTHING',
    );
    this.recordSortKeysStmt = db.prepare<[string, string]>(
      'UPDATE bodies SET sort_keys = ? WHERE hash = ? AND sort_keys IS NULL',
    );
    this.sortKeyListStmt = db.prepare<[number], string | null>(SORT_KEY_LIST_SQL).pluck(true);
    this.readStructureStmt = db.prepare<[string], { structure: string | null }>(
      'SELECT structure FROM bodies WHERE hash = ?',
    );
    this.read = db.prepare<[string], { data: Buffer }>('SELECT data FROM bodies WHERE hash = ?');
  }

  /** Must be followed, in the same operation, by at least one row referencing the body. */
  store(hash: string, raw: Buffer, structure: string | null, sortKeys: string | null = null): void {
    this.insert.run(hash, raw.length, raw, structure, sortKeys);
  }

  /** Sort keys for bodies without any (docs/adr/0037); recorded keys are immutable. */
  recordSortKeys(entries: readonly BodySortKeys[]): void {
    for (const entry of entries) this.recordSortKeysStmt.run(entry.sortKeys, entry.bodyHash);
  }

  /** A mailbox's UIDs, internal dates, sizes and body sort keys, as one JSON text (sort-key-list.ts). */
  sortKeyList(mailboxId: number): MessageSortKeyList {
    return parseSortKeyList(this.sortKeyListStmt.get(mailboxId) ?? null);
  }

  /** The structure JSON recorded with the body, or null if none was (see migration 003). */
  readStructure(hash: string): string | null {
    const row = this.readStructureStmt.get(hash);
    if (row === undefined) throw new StoreError('NOT_FOUND', `no body ${hash}`);
    return row.structure;
  }

  readBody(hash: string): Buffer {
    const row = this.read.get(hash);
    if (row === undefined) throw new StoreError('NOT_FOUND', `no body ${hash}`);
    return row.data;
  }
}
