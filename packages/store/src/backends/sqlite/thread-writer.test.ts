import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureDistBuilt, PACKAGE_DIR } from '../../test-support/dist-build.js';
import { runNode } from '../../test-support/run-node.js';
import { TempStores, message, userWithInbox } from '../../test-support/temp-store.js';
import type { TestStore } from '../../test-support/temp-store.js';
import { ThreadWriter } from './thread-writer.js';
import { StoreError, type Mailbox } from '../../core/types.js';

/** How long the blocked-thread test waits for the writer thread's commit before failing. */
const BLOCKED_WAIT_MS = 5000;

// The whole suite also runs with every store on the writer thread (vitest.config.ts); these
// tests show what only a thread can do, whichever project runs them.
describe('thread writer', () => {
  let temp: TempStores;
  let store: TestStore;
  let inbox: Mailbox;

  beforeAll(() => ensureDistBuilt());
  beforeEach(async () => {
    temp = new TempStores();
    store = await temp.open({ writer: 'thread' });
    ({ inbox } = await userWithInbox(store));
  });
  afterEach(() => temp.cleanup());

  it('commits a write while this thread is busy: the SQL runs on another thread', async () => {
    // Another connection holds the write lock, so no writer can commit before the loop below.
    const observer = new Database(temp.path);
    observer.exec('BEGIN IMMEDIATE');
    const delivered = store.deliver({ raw: message('off the loop'), targets: [{ mailboxId: inbox.id }] });
    const seen = await new Promise<number[]>((resolve) => {
      // Queued after the store's own turn-end work (an inline store would run, and fail, its
      // transaction there; the thread writer posts the write there).
      setImmediate(() => {
        const count = observer.prepare('SELECT count(*) FROM messages').pluck();
        const before = count.get() as number;
        observer.exec('COMMIT');
        // Never yield: if the write needed this thread, the count could not change inside the loop.
        const deadline = Date.now() + BLOCKED_WAIT_MS;
        let after = before;
        while (after === before && Date.now() < deadline) after = count.get() as number;
        resolve([before, after]);
      });
    });
    observer.close();
    expect(seen).toEqual([0, 1]);
    const result = await delivered;
    expect(result.copies).toEqual([
      expect.objectContaining({ mailboxId: inbox.id, uid: 1, userId: inbox.userId }),
    ]);
  });

  it('rejects with the StoreError and code the op threw on the thread', async () => {
    await store.addDomain('example.net');
    const failed = store.addDomain('example.net');
    await expect(failed).rejects.toBeInstanceOf(StoreError);
    await expect(failed).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    // The failed op was rolled back alone; the store goes on writing.
    await expect(store.createMailbox(inbox.userId, 'Later')).resolves.toMatchObject({ name: 'Later' });
  });

  it('stores exactly the bytes of a message that is a small view on a large buffer', async () => {
    const big = Buffer.alloc(1 << 20, 'x');
    const raw = message('view');
    raw.copy(big, 4096);
    const view = big.subarray(4096, 4096 + raw.length);
    const result = await store.deliver({ raw: view, targets: [{ mailboxId: inbox.id }] });
    expect((await store.readBody(result.bodyHash)).equals(raw)).toBe(true);
  });

  it('group-commits concurrent writes on the thread, like an inline store', async () => {
    const before = store.commitCount;
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        store.deliver({ raw: message(`m${index}`), targets: [{ mailboxId: inbox.id }] }),
      ),
    );
    expect(results.map((result) => result.copies[0]?.uid).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(
      Array.from({ length: 50 }, (_, index) => index + 1),
    );
    const commits = store.commitCount - before;
    expect(commits).toBeGreaterThanOrEqual(1);
    expect(commits).toBeLessThan(50);
  });

  it('lets a process end on its own once idle, and never before its writes settle', async () => {
    // The child delivers three messages, printing each UID once durable, and never closes its
    // store: an idle writer thread must not hold the process open, a busy one must.
    const child = await runNode(join(PACKAGE_DIR, 'src', 'test-support', 'child-deliver.mjs'), [
      temp.path,
      String(inbox.id),
      '3',
      'thread-no-close',
    ]);
    expect(child.stdout).toBe('1\n2\n3\n');
    expect((await store.listMessages(inbox.id)).map((summary) => summary.uid)).toEqual([1, 2, 3]);
  });

  it('refuses writes once closing, and settles those already started', async () => {
    const started = store.deliver({ raw: message('before close'), targets: [{ mailboxId: inbox.id }] });
    const closed = store.close();
    await expect(store.createMailbox(inbox.userId, 'After')).rejects.toMatchObject({ code: 'TEMPORARY' });
    await expect(started).resolves.toMatchObject({ copies: [expect.objectContaining({ uid: 1 })] });
    await closed;
    const reader = new Database(temp.path, { readonly: true });
    expect(reader.prepare('SELECT uid FROM messages').pluck().all()).toEqual([1]);
    reader.close();
  });

  it('fails every write TEMPORARY, and reports it, when the writer thread dies', async () => {
    // The thread cannot open a database under a file: it throws on start-up and exits.
    const reported: unknown[] = [];
    const writer = new ThreadWriter(
      join(temp.path, 'not-a-directory', 'store.sqlite'),
      () => {},
      (error) => reported.push(error),
    );
    const failed = writer.run('addDomain', ['example.org'], 'durable');
    await expect(failed).rejects.toMatchObject({
      name: 'StoreError',
      code: 'TEMPORARY',
      message: 'the store writer thread stopped',
    });
    expect(reported).toHaveLength(1);
    await expect(writer.run('addDomain', ['example.org'], 'durable')).rejects.toMatchObject({
      code: 'TEMPORARY',
    });
    await writer.close();
    expect(reported).toHaveLength(1);
  });

  it('settles every write still in flight when the writer itself is closed', async () => {
    const writer = new ThreadWriter(
      temp.path,
      () => {},
      () => {},
    );
    const writes = ['one.example', 'two.example', 'three.example'].map((name) =>
      writer.run('addDomain', [name], 'durable'),
    );
    await writer.close();
    await expect(Promise.all(writes)).resolves.toEqual([
      expect.objectContaining({ name: 'one.example' }),
      expect.objectContaining({ name: 'two.example' }),
      expect.objectContaining({ name: 'three.example' }),
    ]);
    expect((await store.listDomains()).map((domain) => domain.name)).toEqual(
      expect.arrayContaining(['one.example', 'two.example', 'three.example']),
    );
  });
});
