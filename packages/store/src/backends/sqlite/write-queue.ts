import type { SqliteDatabase } from './db.js';
import { toStoreError } from './errors.js';
import { MAX_OPS_PER_COMMIT } from '../../core/limits.js';
import { StoreError } from '../../core/types.js';

/** A synchronous unit of work run inside the shared transaction. */
export type WriteOp<T> = (db: SqliteDatabase) => T;

/**
 * `durable`: acknowledged only once on stable storage (mail, flags, expunges: everything a client
 * is told is safe). `visible`: acknowledged once committed, i.e. seen by every other connection,
 * without waiting for the fsync; for coordination state whose loss in a power cut is harmless
 * (maildrop locks: a lost lock or unlock leaves a stale lock, taken over once stale).
 */
export type Durability = 'durable' | 'visible';

interface Pending {
  op: WriteOp<unknown>;
  durable: boolean;
  resolve: (value: unknown) => void;
  reject: (error: StoreError) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: StoreError };

/**
 * Work the batch's ops leave for the end of the batch, still inside its transaction (docs/adr/0040):
 * the catcher's full-text rows. `mark` and `undo` drop what an op that was rolled back left;
 * `beforeCommit` writes the rest right before COMMIT; `discard` forgets it when the batch fails.
 */
export interface DeferredWrites {
  mark(): number;
  undo(mark: number): void;
  beforeCommit(): void;
  discard(): void;
}

/**
 * Group commit (docs/adr/0003-durability-group-commit.md). Every write of a store goes through
 * its one queue, on the store's thread or on its writer thread (docs/adr/0013). Writes queued
 * during one event-loop turn run in ONE `BEGIN IMMEDIATE ... COMMIT`, each inside its own
 * SAVEPOINT so a failing op is rolled back alone. Promises settle only after COMMIT has returned
 * AND `makeDurable` has fsync'ed the WAL (docs/adr/0012): a write is acknowledged only once
 * durable, and fifty concurrent deliveries pay for one fsync instead of fifty. On the store's
 * thread the fsync runs on the thread pool, so the next batch is built and committed meanwhile.
 */
export class WriteQueue {
  private pending: Pending[] = [];
  private scheduled = false;
  /** Committed batches whose fsync has not finished yet (their promises are still pending). */
  private syncing = 0;
  private idleWaiters: Array<() => void> = [];
  private commits = 0;

  constructor(
    private readonly db: SqliteDatabase,
    /** Called once a batch is durable, outside any transaction (the change feed reads here). */
    private readonly afterCommit: () => void,
    /** Resolves once every frame committed so far is on stable storage (WalSync.sync). */
    private readonly makeDurable: () => Promise<void>,
    private readonly deferred: DeferredWrites | null = null,
  ) {}

  /** Number of COMMITs so far; tests use it to show that concurrent writes shared commits. */
  get commitCount(): number {
    return this.commits;
  }

  run<T>(op: WriteOp<T>, durability: Durability = 'durable'): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({
        op,
        durable: durability === 'durable',
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      if (!this.scheduled) {
        this.scheduled = true;
        // setImmediate, not a microtask: lets every write started in this turn (and the I/O
        // callbacks of this loop iteration) join the batch.
        setImmediate(() => this.flush());
      }
    });
  }

  /** Resolves once everything queued so far has been committed or rejected. */
  drained(): Promise<void> {
    if (this.idle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private idle(): boolean {
    return !this.scheduled && this.pending.length === 0 && this.syncing === 0;
  }

  private flush(): void {
    const batch = this.pending.splice(0, MAX_OPS_PER_COMMIT);
    this.scheduled = this.pending.length > 0;
    if (this.scheduled) setImmediate(() => this.flush());
    const outcomes = this.runBatch(batch);
    if (!outcomes.committed) {
      this.settle(batch, outcomes.results);
      return;
    }
    if (!batch.some((item) => item.durable)) {
      // Visible is enough. The change feed is pumped by the fsync in flight, if any, so that it
      // never announces a durable batch's changes before that batch is durable.
      if (this.syncing === 0) this.afterCommit();
      this.settle(batch, outcomes.results);
      return;
    }
    this.syncing += 1;
    this.makeDurable().then(
      () => {
        this.syncing -= 1;
        this.afterCommit();
        this.settle(batch, outcomes.results);
      },
      (error: unknown) => {
        this.syncing -= 1;
        // The frames are committed but may not be on disk: nobody may be told they are safe.
        // TEMPORARY makes the sender retry (a possible duplicate beats a silent loss).
        this.afterCommit();
        this.settle(batch, this.failAll(batch, toStoreError(error)));
      },
    );
  }

  private settle(batch: Pending[], outcomes: Outcome[]): void {
    batch.forEach((item, index) => {
      const outcome = outcomes[index];
      if (outcome === undefined) item.reject(new StoreError('TEMPORARY', 'write was not run'));
      else if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    });
    if (this.idle()) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  private failAll(batch: Pending[], error: StoreError): Outcome[] {
    return batch.map(() => ({ ok: false, error }));
  }

  /**
   * Runs the batch in one transaction: one outcome per op, and whether anything was committed
   * (if BEGIN or COMMIT failed, every op failed and there is nothing to make durable).
   */
  private runBatch(batch: Pending[]): { committed: boolean; results: Outcome[] } {
    try {
      this.db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      return { committed: false, results: this.failAll(batch, toStoreError(error)) };
    }
    const outcomes: Outcome[] = [];
    try {
      for (const item of batch) {
        if (!this.db.inTransaction) {
          // An earlier op hit an error that made SQLite roll back everything (e.g. disk full).
          outcomes.push({
            ok: false,
            error: new StoreError('TEMPORARY', 'transaction aborted by an earlier failure'),
          });
          continue;
        }
        outcomes.push(this.runInSavepoint(item.op));
      }
      if (!this.db.inTransaction) throw new StoreError('TEMPORARY', 'transaction aborted');
      this.runDeferred();
      this.db.exec('COMMIT');
      this.commits += 1;
    } catch (error) {
      // Anything that escapes here (COMMIT, or a SAVEPOINT / ROLLBACK TO statement failing on I/O)
      // fails the whole batch: nothing of it was committed, and every promise must still settle.
      this.deferred?.discard();
      this.rollbackQuietly();
      return { committed: false, results: this.failAll(batch, toStoreError(error)) };
    }
    return { committed: true, results: outcomes };
  }

  /**
   * The deferred writes of the batch's ops, in one savepoint of their own. They are derived data
   * (the catcher's index, which the backfill writes for any body left without it): if they fail,
   * they alone are rolled back and the batch's mail is still committed.
   */
  private runDeferred(): void {
    if (this.deferred === null) return;
    this.db.exec('SAVEPOINT deferred');
    try {
      this.deferred.beforeCommit();
      this.db.exec('RELEASE deferred');
    } catch {
      this.deferred.discard();
      if (this.db.inTransaction) {
        this.db.exec('ROLLBACK TO deferred');
        this.db.exec('RELEASE deferred');
      }
    }
  }

  /** ROLLBACK if a transaction is open; a failing ROLLBACK leaves SQLite to roll back on its own. */
  private rollbackQuietly(): void {
    try {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
    } catch {
      // SQLite rolls back an open transaction itself when a statement cannot (or at close); the
      // batch is already reported as failed, which is all its callers need to know.
    }
  }

  private runInSavepoint(op: WriteOp<unknown>): Outcome {
    this.db.exec('SAVEPOINT op');
    const mark = this.deferred?.mark() ?? 0;
    try {
      const value = op(this.db);
      this.db.exec('RELEASE op');
      return { ok: true, value };
    } catch (error) {
      this.deferred?.undo(mark);
      if (this.db.inTransaction) {
        this.db.exec('ROLLBACK TO op');
        this.db.exec('RELEASE op');
      }
      return { ok: false, error: toStoreError(error) };
    }
  }
}
