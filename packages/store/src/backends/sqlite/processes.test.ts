import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CHANGE_RETENTION_MS } from '../../core/limits.js';
import type { Mailbox, MailboxChange } from '../../core/types.js';
import { ensureDistBuilt, PACKAGE_DIR } from '../../test-support/dist-build.js';
import { runNode } from '../../test-support/run-node.js';
import { TempStores, message, userWithInbox, type TestStore } from '../../test-support/temp-store.js';
import { ChangeLog } from './change-feed.js';
import { ExpungedHistory } from './imap-history.js';

/** Resolves with the first batch of changes a watcher receives, or rejects after `timeoutMs`. */
function nextChanges(
  store: TestStore,
  mailboxId: number,
  timeoutMs: number,
): Promise<{ changes: MailboxChange[]; at: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no change within ${timeoutMs} ms`));
    }, timeoutMs);
    const stop = store.watch(mailboxId, (changes) => {
      clearTimeout(timer);
      stop();
      resolve({ changes, at: Date.now() });
    });
  });
}

/** SQLite: other processes on the same file (PRAGMA data_version), and pruning the feed. */
describe.skipIf(process.env['MINIMAIL_TEST_STORE_BACKEND'] === 'postgres')(
  'SQLite: processes on one file',
  () => {
    let temp: TempStores;
    let store: TestStore;
    let inbox: Mailbox;

    beforeAll(() => ensureDistBuilt());
    beforeEach(async () => {
      temp = new TempStores();
      store = await temp.open();
      ({ inbox } = await userWithInbox(store));
    });
    afterEach(() => temp.cleanup());

    it('reaches this process within one second when another process delivers', async () => {
      const received = nextChanges(store, inbox.id, 5000);
      const child = await runNode(join(PACKAGE_DIR, 'src', 'test-support', 'child-deliver.mjs'), [
        temp.path,
        String(inbox.id),
        '1',
      ]);
      const { changes, at } = await received;
      expect(child.stdout).toBe('1\n');
      expect(changes).toEqual([{ kind: 'new', mailboxId: inbox.id, uid: 1, modseq: 2 }]);
      // The child commits before it prints and exits, so this bounds the notification delay.
      expect(at - child.exitedAt).toBeLessThan(1000);
    });

    it('keeps UIDs unique and contiguous when two processes deliver at once', async () => {
      const childRun = runNode(join(PACKAGE_DIR, 'src', 'test-support', 'child-deliver.mjs'), [
        temp.path,
        String(inbox.id),
        '100',
      ]);
      const ours: number[] = [];
      for (let index = 0; index < 100; index += 1) {
        const result = await store.deliver({
          raw: message(`parent ${index}`),
          targets: [{ mailboxId: inbox.id }],
        });
        ours.push(result.copies[0]?.uid ?? 0);
      }
      const theirs = (await childRun).stdout.trim().split('\n').map(Number);
      expect(theirs).toHaveLength(100);
      const all = [...ours, ...theirs].sort((a, b) => a - b);
      expect(all).toEqual(Array.from({ length: 200 }, (_, index) => index + 1));
      expect((await store.listMessages(inbox.id)).map((m) => m.uid)).toEqual(all);
    });

    it('prunes rows older than the retention window and keeps recent ones', async () => {
      await store.deliver({ raw: message('recent'), targets: [{ mailboxId: inbox.id }] });
      const db = new Database(temp.path);
      try {
        db.prepare(
          "INSERT INTO changes (mailbox_id, kind, uid, modseq, created_at) VALUES (?, 'new', 99, 1, ?)",
        ).run(inbox.id, Date.now() - CHANGE_RETENTION_MS - 1000);
        new ChangeLog(db, new ExpungedHistory(db)).prune(Date.now() - CHANGE_RETENTION_MS);
        expect(db.prepare('SELECT uid FROM changes ORDER BY id').pluck().all()).toEqual([1]);
      } finally {
        db.close();
      }
    });
  },
);
