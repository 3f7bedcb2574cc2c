import type { SqliteDatabase } from './db.js';
import { StoreError } from '../../core/types.js';

/**
 * Content-addressed bodies, stored once and shared by every copy. Reference counts are kept by
 * triggers on `messages` and `outbound` (migrations 001/002): inserting a row that names a body
 * adds a reference, deleting it (also by cascade) removes one, and the last one out deletes it.
 */
export class Bodies {
  private readonly insert;
  private readonly read;
  private readonly readStructureStmt;

  constructor(db: SqliteDatabase) {
    // refcount starts at 0: the message/outbound rows inserted next in the same op count themselves.
    this.insert = db.prepare(
      'INSERT INTO bodies (hash, size, data, refcount, structure) VALUES (?, ?, ?, 0, ?) ON CONFLICT (hash) DO NOTHING',
    );
    this.readStructureStmt = db.prepare<[string], { structure: string | null }>(
      'SELECT structure FROM bodies WHERE hash = ?',
    );
    this.read = db.prepare<[string], { data: Buffer }>('SELECT data FROM bodies WHERE hash = ?');
  }

  /** Must be followed, in the same operation, by at least one row referencing the body. */
  store(hash: string, raw: Buffer, structure: string | null): void {
    this.insert.run(hash, raw.length, raw, structure);
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
