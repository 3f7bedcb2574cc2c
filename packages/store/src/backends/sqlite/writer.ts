import type { SqliteDatabase } from './db.js';
import type { StoreParts } from './store-parts.js';
import { WalSync } from './wal-sync.js';
import { applyOp, WriteOps, type SqliteOpArgs, type SqliteOpName, type SqliteOpResult } from './write-ops.js';
import { WriteQueue, type Durability } from './write-queue.js';

/**
 * Where the store's writes run. Both kinds run every write through one group-commit WriteQueue
 * and settle it only once durable (docs/adr/0003, 0012); they differ in which thread pays for the
 * SQL, the COMMIT and its WAL writes (docs/adr/0013).
 */
export interface Writer {
  run<K extends SqliteOpName>(
    name: K,
    args: SqliteOpArgs<K>,
    durability: Durability,
  ): Promise<SqliteOpResult<K>>;
  /** Durable COMMITs so far (group commit makes it far fewer than writes). */
  readonly commitCount: number;
  /** Resolves once every write started so far has settled. */
  drained(): Promise<void>;
  /** Settles what is queued, then releases the writer's connection and files. */
  close(): Promise<void>;
}

/**
 * Writes on the store's own connection, on the calling thread, through the same parts the store
 * reads with (their statements are prepared once). The store owns the connection and the WalSync.
 */
export class InlineWriter implements Writer {
  private readonly queue: WriteQueue;
  private readonly ops: WriteOps;

  constructor(db: SqliteDatabase, parts: StoreParts, walSync: WalSync, afterCommit: () => void) {
    this.ops = new WriteOps(parts);
    this.queue = new WriteQueue(db, afterCommit, () => walSync.sync(), parts.search.deferredWrites);
  }

  get commitCount(): number {
    return this.queue.commitCount;
  }

  run<K extends SqliteOpName>(
    name: K,
    args: SqliteOpArgs<K>,
    durability: Durability,
  ): Promise<SqliteOpResult<K>> {
    return this.queue.run(() => applyOp(this.ops, name, args), durability);
  }

  drained(): Promise<void> {
    return this.queue.drained();
  }

  close(): Promise<void> {
    return this.queue.drained();
  }
}
