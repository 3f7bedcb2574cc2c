import type pg from 'pg';
import { appendExpunged } from './imap-history.js';
import { MAX_OPS_PER_COMMIT } from '../../core/limits.js';
import { StoreError, type MailboxChange } from '../../core/types.js';
import { encodeFlags } from '../../core/flags.js';
import type { Queryable } from './connection.js';
import { isRetryable, toStoreError } from './errors.js';

/** One change row to append when the transaction ends. */
export interface ChangeRecord {
  mailboxId: number;
  kind: MailboxChange['kind'];
  uid: number | null;
  modseq: number;
  flags: readonly string[] | undefined;
}

/** What an op runs on: the batch transaction's client, and the changes it makes. */
export interface Tx extends Queryable {
  /** Records a change; appended to `changes` only if the op (its savepoint) succeeds. */
  record(
    mailboxId: number,
    kind: MailboxChange['kind'],
    uid: number | null,
    modseq: number,
    flags?: readonly string[],
  ): void;
}

export type PgOp<T> = (tx: Tx) => Promise<T>;

/** The channel every node LISTENs on; the payload is the highest change id of the commit. */
export const CHANGES_CHANNEL = 'minimail_changes';
/** Advisory lock key held from a batch's first change row to its COMMIT ('MMCH'). */
const FEED_LOCK = 0x4d4d4348;
/** How often an op that lost a deadlock or serialization race is run again before it fails. */
const MAX_RETRIES = 5;

interface Pending {
  op: PgOp<unknown>;
  retries: number;
  resolve: (value: unknown) => void;
  reject: (error: StoreError) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: StoreError } | { ok: 'retry' };

/**
 * Group commit on PostgreSQL (docs/adr/0003, 0015). Writes started while a batch runs wait and
 * then share the next one: ONE `BEGIN ... COMMIT` on one pooled connection, each write in its own
 * SAVEPOINT so a failing op is rolled back alone (one that lost a deadlock to another node is run
 * again in the next batch). The connection runs with synchronous_commit=on, so COMMIT returns only
 * once the WAL is flushed: only then do the promises settle.
 *
 * The change rows of the batch are inserted last, under a transaction-scoped advisory lock, with
 * a NOTIFY: ids are therefore taken in commit order on every node, and a reader that has seen id
 * n has seen everything below it (change-feed.ts relies on it).
 */
export class PgWriteQueue {
  private pending: Pending[] = [];
  private running = false;
  private scheduled = false;
  private idleWaiters: Array<() => void> = [];
  private commits = 0;

  constructor(
    private readonly pool: pg.Pool,
    /** Called after a COMMIT with the highest change id it wrote (0: none), before promises settle. */
    private readonly afterCommit: (maxChangeId: number) => Promise<void>,
  ) {}

  get commitCount(): number {
    return this.commits;
  }

  run<T>(op: PgOp<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ op, retries: 0, resolve: resolve as (value: unknown) => void, reject });
      this.schedule();
    });
  }

  drained(): Promise<void> {
    if (this.idle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private idle(): boolean {
    return !this.running && !this.scheduled && this.pending.length === 0;
  }

  private schedule(): void {
    if (this.running || this.scheduled || this.pending.length === 0) return;
    this.scheduled = true;
    // setImmediate, as SQLite's queue: every write started in this turn joins the batch.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.running = true;
    const batch = this.pending.splice(0, MAX_OPS_PER_COMMIT);
    const { outcomes, maxChangeId } = await this.runBatch(batch);
    if (maxChangeId > 0 || outcomes.some((outcome) => outcome.ok === true)) {
      try {
        await this.afterCommit(maxChangeId);
      } catch {
        // The feed reports its own failures; the writes are committed and durable regardless.
      }
    }
    const retry: Pending[] = [];
    batch.forEach((item, index) => {
      const outcome = outcomes[index];
      if (outcome === undefined) item.reject(new StoreError('TEMPORARY', 'write was not run'));
      else if (outcome.ok === 'retry') retry.push({ ...item, retries: item.retries + 1 });
      else if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    });
    this.pending.unshift(...retry);
    this.running = false;
    if (this.pending.length > 0) this.schedule();
    else if (this.idle()) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  private async runBatch(batch: Pending[]): Promise<{ outcomes: Outcome[]; maxChangeId: number }> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      return { outcomes: batch.map(() => failed(error)), maxChangeId: 0 };
    }
    let broken: unknown = undefined;
    try {
      await client.query('BEGIN');
      const outcomes: Outcome[] = [];
      const changes: ChangeRecord[] = [];
      for (const item of batch) outcomes.push(await this.runInSavepoint(client, item, changes));
      let maxChangeId = 0;
      if (changes.length > 0) {
        await appendExpunged(client, changes);
        maxChangeId = await appendChanges(client, changes);
      }
      // A transaction in the aborted state answers COMMIT with ROLLBACK, not an error: check.
      const commit = await client.query('COMMIT');
      if (commit.command !== 'COMMIT') throw new StoreError('TEMPORARY', `COMMIT answered ${commit.command}`);
      this.commits += 1;
      return { outcomes, maxChangeId };
    } catch (error) {
      // BEGIN, a SAVEPOINT statement, the change rows or COMMIT failed: nothing of the batch is
      // committed (or, for a COMMIT that lost its connection, it is unknown): every write fails
      // TEMPORARY and the client retries (a possible duplicate beats a silent loss).
      broken = error;
      await client.query('ROLLBACK').catch(() => undefined);
      return { outcomes: batch.map(() => failed(error)), maxChangeId: 0 };
    } finally {
      // A connection whose state is unknown is discarded rather than handed to the next user.
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  private async runInSavepoint(
    client: pg.PoolClient,
    item: Pending,
    changes: ChangeRecord[],
  ): Promise<Outcome> {
    const recorded: ChangeRecord[] = [];
    const tx: Tx = {
      query: (text, values) => client.query(text, values),
      record: (mailboxId, kind, uid, modseq, flags) => recorded.push({ mailboxId, kind, uid, modseq, flags }),
    };
    await client.query('SAVEPOINT op');
    try {
      const value = await item.op(tx);
      await client.query('RELEASE op');
      changes.push(...recorded);
      return { ok: true, value };
    } catch (error) {
      await client.query('ROLLBACK TO op');
      await client.query('RELEASE op');
      if (isRetryable(error) && item.retries < MAX_RETRIES) return { ok: 'retry' };
      return { ok: false, error: toStoreError(error) };
    }
  }
}

function failed(error: unknown): Outcome {
  return { ok: false, error: toStoreError(error) };
}

/** Inserts the batch's change rows under the feed lock and notifies every node; returns the last id. */
async function appendChanges(client: Queryable, changes: ChangeRecord[]): Promise<number> {
  await client.query('SELECT pg_advisory_xact_lock($1)', [FEED_LOCK]);
  const now = Date.now();
  const result = await client.query<{ id: number }>(
    `INSERT INTO changes (mailbox_id, kind, uid, modseq, flags, created_at)
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::bigint[], $5::text[], $6::bigint[])
     RETURNING id`,
    [
      changes.map((change) => change.mailboxId),
      changes.map((change) => change.kind),
      changes.map((change) => change.uid),
      changes.map((change) => change.modseq),
      changes.map((change) => (change.flags === undefined ? null : encodeFlags(change.flags))),
      changes.map(() => now),
    ],
  );
  const maxId = Math.max(...result.rows.map((row) => row.id));
  // Delivered to every listening session when (and only if) the transaction commits.
  await client.query('SELECT pg_notify($1, $2)', [CHANGES_CHANNEL, String(maxId)]);
  return maxId;
}
