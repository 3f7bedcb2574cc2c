import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toStoreError } from './errors.js';
import { MAX_OPS_PER_COMMIT } from '../../core/limits.js';
import { WriteQueue } from './write-queue.js';
import { TempStores, message, userWithInbox } from '../../test-support/temp-store.js';
import type { TestStore } from '../../test-support/temp-store.js';
import type { Mailbox } from '../../core/types.js';

describe('write queue: group commit and durability', () => {
  let temp: TempStores;
  let store: TestStore;
  let inbox: Mailbox;

  beforeEach(async () => {
    temp = new TempStores();
    store = await temp.open();
    ({ inbox } = await userWithInbox(store));
  });
  afterEach(() => temp.cleanup());

  it('runs concurrent deliveries in far fewer commits than deliveries', async () => {
    const before = store.commitCount;
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        store.deliver({ raw: message(`m${index}`), targets: [{ mailboxId: inbox.id }] }),
      ),
    );
    const commits = store.commitCount - before;
    expect(commits).toBeGreaterThanOrEqual(1);
    expect(commits).toBeLessThan(5);
    expect(results.map((r) => r.copies[0]?.uid)).toEqual(Array.from({ length: 50 }, (_, index) => index + 1));
  });

  it('splits a very large burst into several commits so the write lock is never held long', async () => {
    const before = store.commitCount;
    const count = MAX_OPS_PER_COMMIT + 10;
    await Promise.all(
      Array.from({ length: count }, (_, index) =>
        store.setSubscribed(inbox.userId, index % 2 === 0 ? 'Junk' : 'Sent', index % 3 === 0),
      ),
    );
    expect(store.commitCount - before).toBe(2);
  });

  it('isolates a failing operation in its savepoint: the others in the batch still commit', async () => {
    const before = store.commitCount;
    const outcomes = await Promise.allSettled([
      store.deliver({ raw: message('first'), targets: [{ mailboxId: inbox.id }] }),
      // Fails after the body insert, inside the transaction: must be rolled back alone.
      store.deliver({ raw: message('bad'), targets: [{ mailboxId: inbox.id }, { mailboxId: 424242 }] }),
      store.createMailbox(inbox.userId, 'INBOX'),
      store.deliver({ raw: message('third'), targets: [{ mailboxId: inbox.id }] }),
    ]);
    expect(store.commitCount - before).toBe(1);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect(outcomes[1]).toMatchObject({ reason: { code: 'NOT_FOUND' } });
    expect(outcomes[2]).toMatchObject({ reason: { code: 'ALREADY_EXISTS' } });
    // The failed op's UID reservation was rolled back with it, so UIDs stay contiguous.
    expect((await store.listMessages(inbox.id)).map((m) => m.uid)).toEqual([1, 2]);
    const db = new Database(temp.path, { readonly: true });
    expect(db.prepare('SELECT COUNT(*) FROM bodies').pluck().get()).toBe(2);
    db.close();
  });

  it('acknowledges a write only when another connection can already read it', async () => {
    const reader = new Database(temp.path, { readonly: true });
    try {
      const count = (): unknown =>
        reader.prepare('SELECT COUNT(*) FROM messages WHERE mailbox_id = ?').pluck().get(inbox.id);
      const pending = store.deliver({ raw: message('durable'), targets: [{ mailboxId: inbox.id }] });
      expect(count()).toBe(0);
      await pending;
      expect(count()).toBe(1);
    } finally {
      reader.close();
    }
  });

  it('keeps UIDs unique and contiguous with two stores writing one file at once', async () => {
    const other = await temp.open();
    const writes = Array.from({ length: 200 }, (_, index) =>
      (index % 2 === 0 ? store : other).deliver({
        raw: message(`interleaved ${index}`),
        targets: [{ mailboxId: inbox.id }],
      }),
    );
    const uids = (await Promise.all(writes)).map((r) => r.copies[0]?.uid ?? 0);
    expect(new Set(uids).size).toBe(200);
    expect([...uids].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, index) => index + 1));
    expect((await other.listMessages(inbox.id)).map((m) => m.uid)).toEqual(
      Array.from({ length: 200 }, (_, index) => index + 1),
    );
    expect((await store.getMailboxById(inbox.id))?.uidNext).toBe(201);
  });

  it('close() waits for queued writes, and later calls fail clearly', async () => {
    const pending = store.deliver({ raw: message('last'), targets: [{ mailboxId: inbox.id }] });
    await store.close();
    await expect(pending).resolves.toMatchObject({ copies: [{ uid: 1 }] });
    await expect(store.listMessages(inbox.id)).rejects.toMatchObject({
      code: 'TEMPORARY',
      message: 'store is closed',
    });
    await expect(store.addDomain('x.org')).rejects.toMatchObject({ code: 'TEMPORARY' });
    const reopened = await temp.open();
    expect((await reopened.listMessages(inbox.id)).map((m) => m.uid)).toEqual([1]);
  });

  it('maps a busy database to TEMPORARY', () => {
    const holder = new Database(temp.path);
    const contender = new Database(temp.path, { timeout: 0 });
    holder.exec('BEGIN IMMEDIATE');
    try {
      let thrown: unknown;
      try {
        contender.exec('BEGIN IMMEDIATE');
      } catch (error) {
        thrown = error;
      }
      expect(toStoreError(thrown)).toMatchObject({
        code: 'TEMPORARY',
        message: 'database temporarily unavailable (SQLITE_BUSY)',
      });
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
      contender.close();
    }
  });
});

describe('write queue: a failure outside any op still settles every promise', () => {
  it('fails the whole batch, commits nothing and keeps working when ROLLBACK TO itself fails', async () => {
    const temp = new TempStores();
    const db = new Database(join(temp.dir, 'queue.sqlite'));
    db.exec('CREATE TABLE t (v INTEGER)');
    const queue = new WriteQueue(
      db,
      () => undefined,
      () => Promise.resolve(),
    );
    try {
      const good = queue.run((d) => d.prepare('INSERT INTO t VALUES (1)').run().changes);
      // Releasing the savepoint itself and then throwing makes the queue's ROLLBACK TO fail
      // ("no such savepoint"): the failure escapes the op's own error handling.
      const saboteur = queue.run((d) => {
        d.exec('RELEASE op');
        throw new Error('boom');
      });
      const results = await Promise.allSettled([good, saboteur]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
      expect(
        results.map((r) => (r.status === 'rejected' ? (r.reason as { code: string }).code : null)),
      ).toEqual(['TEMPORARY', 'TEMPORARY']);
      expect(db.inTransaction).toBe(false);
      expect(db.prepare('SELECT COUNT(*) AS n FROM t').get()).toEqual({ n: 0 });
      // The queue keeps serving later writes.
      await expect(queue.run((d) => d.prepare('INSERT INTO t VALUES (2)').run().changes)).resolves.toBe(1);
      expect(db.prepare('SELECT v FROM t').all()).toEqual([{ v: 2 }]);
    } finally {
      db.close();
      await temp.cleanup();
    }
  });
});

/** A WAL fsync the test finishes by hand, to watch what the queue does while the disk is busy. */
class GatedSync {
  readonly started: Array<{ finish: () => void; fail: (error: Error) => void }> = [];

  sync = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      this.started.push({ finish: resolve, fail: reject });
    });
}

describe('write queue: acknowledged only after the WAL fsync', () => {
  let temp: TempStores;
  let db: Database.Database;
  let gate: GatedSync;
  let feedCalls: number;
  let queue: WriteQueue;

  beforeEach(() => {
    temp = new TempStores();
    db = new Database(join(temp.dir, 'queue.sqlite'));
    db.exec('CREATE TABLE t (v INTEGER)');
    gate = new GatedSync();
    feedCalls = 0;
    queue = new WriteQueue(
      db,
      () => (feedCalls += 1),
      () => gate.sync(),
    );
  });
  afterEach(async () => {
    db.close();
    await temp.cleanup();
  });

  const insert = (v: number) => queue.run((d) => d.prepare('INSERT INTO t VALUES (?)').run(v).changes);
  const settledWithin = async (promise: Promise<unknown>): Promise<boolean> => {
    let settled = false;
    promise.then(
      () => (settled = true),
      () => (settled = true),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    return settled;
  };

  it('commits, keeps the promise pending until the fsync finishes, then resolves it', async () => {
    const write = insert(1);
    expect(await settledWithin(write)).toBe(false);
    // Committed (visible to a reader) but not yet acknowledged, and the feed not yet pumped.
    expect(db.prepare('SELECT COUNT(*) AS n FROM t').get()).toEqual({ n: 1 });
    expect(gate.started).toHaveLength(1);
    expect(feedCalls).toBe(0);
    gate.started[0]?.finish();
    await expect(write).resolves.toBe(1);
    expect(feedCalls).toBe(1);
  });

  it('commits the next batch while the previous fsync is still running, and settles in order', async () => {
    const first = insert(1);
    await new Promise((resolve) => setImmediate(resolve));
    const second = insert(2);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(queue.commitCount).toBe(2);
    expect(gate.started).toHaveLength(2);
    const order: number[] = [];
    void first.then(() => order.push(1));
    void second.then(() => order.push(2));
    gate.started[0]?.finish();
    gate.started[1]?.finish();
    await Promise.all([first, second]);
    expect(order).toEqual([1, 2]);
  });

  it('drained() waits for the fsync of the last batch', async () => {
    const write = insert(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const drained = queue.drained();
    expect(await settledWithin(drained)).toBe(false);
    gate.started[0]?.finish();
    await drained;
    await expect(write).resolves.toBe(1);
  });

  it("a 'visible' write (maildrop locks) settles at COMMIT without waiting for an fsync", async () => {
    const visible = queue.run((d) => d.prepare('INSERT INTO t VALUES (?)').run(7).changes, 'visible');
    await expect(visible).resolves.toBe(1);
    expect(gate.started).toHaveLength(0);
    expect(feedCalls).toBe(1);
  });

  it("a batch mixing 'visible' and durable writes waits for the fsync for all of them", async () => {
    const visible = queue.run((d) => d.prepare('INSERT INTO t VALUES (?)').run(7).changes, 'visible');
    const durable = insert(8);
    expect(await settledWithin(visible)).toBe(false);
    expect(gate.started).toHaveLength(1);
    gate.started[0]?.finish();
    await expect(Promise.all([visible, durable])).resolves.toEqual([1, 1]);
  });

  it("a 'visible' write committed while an fsync runs leaves the change feed to that fsync", async () => {
    const durable = insert(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const visible = queue.run((d) => d.prepare('INSERT INTO t VALUES (?)').run(2).changes, 'visible');
    await expect(visible).resolves.toBe(1);
    // The durable batch's changes must not be announced before it is durable.
    expect(feedCalls).toBe(0);
    gate.started[0]?.finish();
    await durable;
    expect(feedCalls).toBe(1);
  });

  it('a failed fsync fails every write of its batch as TEMPORARY: nothing is called safe', async () => {
    const writes = [insert(1), insert(2)];
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(gate.started).toHaveLength(1);
    gate.started[0]?.fail(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    const results = await Promise.allSettled(writes);
    expect(
      results.map((r) => (r.status === 'rejected' ? (r.reason as { code: string }).code : r.status)),
    ).toEqual(['TEMPORARY', 'TEMPORARY']);
    // The queue goes on: the next write is acknowledged after its own fsync.
    const later = insert(3);
    await new Promise((resolve) => setTimeout(resolve, 20));
    gate.started[1]?.finish();
    await expect(later).resolves.toBe(1);
  });
});

/** A DeferredWrites that writes its rows into `d` before COMMIT, as the catcher index does. */
class DeferredRows {
  rows: number[] = [];
  failNext = false;
  constructor(private readonly db: Database.Database) {}
  readonly writes = {
    mark: (): number => this.rows.length,
    undo: (mark: number): void => {
      this.rows.length = Math.min(this.rows.length, mark);
    },
    beforeCommit: (): void => {
      const rows = this.rows;
      this.rows = [];
      const insert = this.db.prepare('INSERT INTO d VALUES (?)');
      for (const v of rows) insert.run(v);
      if (this.failNext) throw new Error('deferred write failed');
    },
    discard: (): void => {
      this.rows = [];
    },
  };
}

describe('write queue: writes deferred to the end of the batch (docs/adr/0040)', () => {
  let temp: TempStores;
  let db: Database.Database;
  let deferred: DeferredRows;
  let queue: WriteQueue;

  beforeEach(() => {
    temp = new TempStores();
    db = new Database(join(temp.dir, 'queue.sqlite'));
    db.exec('CREATE TABLE t (v INTEGER); CREATE TABLE d (v INTEGER)');
    deferred = new DeferredRows(db);
    queue = new WriteQueue(
      db,
      () => undefined,
      () => Promise.resolve(),
      deferred.writes,
    );
  });
  afterEach(async () => {
    db.close();
    await temp.cleanup();
  });

  const write = (v: number, fail = false) =>
    queue.run((d) => {
      d.prepare('INSERT INTO t VALUES (?)').run(v);
      deferred.rows.push(v);
      if (fail) throw new Error(`op ${v} failed`);
      return v;
    });

  it("commits a batch's deferred rows with it and drops those of an op that was rolled back", async () => {
    const results = await Promise.allSettled([write(1), write(2, true), write(3)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    // Written once every op ran, in the batch's one transaction: visible when the promises settle.
    expect(db.prepare('SELECT v FROM t ORDER BY v').all()).toEqual([{ v: 1 }, { v: 3 }]);
    expect(db.prepare('SELECT v FROM d ORDER BY v').all()).toEqual([{ v: 1 }, { v: 3 }]);
    expect(deferred.rows).toEqual([]);
  });

  it('keeps the mail when the deferred writes fail: they alone are rolled back', async () => {
    deferred.failNext = true;
    await expect(Promise.all([write(1), write(2)])).resolves.toEqual([1, 2]);
    expect(db.prepare('SELECT v FROM t ORDER BY v').all()).toEqual([{ v: 1 }, { v: 2 }]);
    expect(db.prepare('SELECT COUNT(*) AS n FROM d').get()).toEqual({ n: 0 });
    deferred.failNext = false;
    await expect(write(3)).resolves.toBe(3);
    expect(db.prepare('SELECT v FROM d').all()).toEqual([{ v: 3 }]);
  });
});
