import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStores, message, userWithInbox } from '../test-support/temp-store.js';
import type { TestStore } from '../test-support/temp-store.js';
import type { Mailbox, MailboxChange } from '../core/types.js';

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

describe('change feed', () => {
  let temp: TempStores;
  let store: TestStore;
  let inbox: Mailbox;

  beforeEach(async () => {
    temp = new TempStores();
    store = await temp.open();
    ({ inbox } = await userWithInbox(store));
  });
  afterEach(() => temp.cleanup());

  it('tells in-process watchers of new, changed and expunged messages as soon as the write commits', async () => {
    const seen: MailboxChange[][] = [];
    const stop = store.watch(inbox.id, (changes) => seen.push(changes));
    await store.deliver({ raw: message('a'), targets: [{ mailboxId: inbox.id }] });
    expect(seen).toEqual([[{ kind: 'new', mailboxId: inbox.id, uid: 1, modseq: 2 }]]);
    await store.setFlags(inbox.id, [1], 'add', ['\\Deleted']);
    await store.expunge(inbox.id);
    expect(seen.slice(1)).toEqual([
      [{ kind: 'flags', mailboxId: inbox.id, uid: 1, modseq: 3, flags: ['\\Deleted'] }],
      [{ kind: 'expunge', mailboxId: inbox.id, uid: 1, modseq: 4 }],
    ]);
    stop();
    await store.deliver({ raw: message('b'), targets: [{ mailboxId: inbox.id }] });
    expect(seen).toHaveLength(3);
  });

  it('tells a watcher only of changes committed after it started watching', async () => {
    await store.deliver({ raw: message('before'), targets: [{ mailboxId: inbox.id }] });
    const seen: MailboxChange[][] = [];
    const stop = store.watch(inbox.id, (changes) => seen.push(changes));
    await store.deliver({ raw: message('after'), targets: [{ mailboxId: inbox.id }] });
    expect(seen).toEqual([[{ kind: 'new', mailboxId: inbox.id, uid: 2, modseq: 3 }]]);
    stop();
  });

  it('batches the changes of one group commit and only reports the watched mailbox', async () => {
    const archive = await store.getMailbox(inbox.userId, 'Archive');
    const seen: MailboxChange[][] = [];
    store.watch(inbox.id, (changes) => seen.push(changes));
    await Promise.all([
      store.deliver({ raw: message('1'), targets: [{ mailboxId: inbox.id }] }),
      store.deliver({ raw: message('2'), targets: [{ mailboxId: archive?.id ?? 0 }] }),
      store.deliver({ raw: message('3'), targets: [{ mailboxId: inbox.id }] }),
    ]);
    expect(seen).toEqual([
      [
        { kind: 'new', mailboxId: inbox.id, uid: 1, modseq: 2 },
        { kind: 'new', mailboxId: inbox.id, uid: 2, modseq: 3 },
      ],
    ]);
  });

  it('announces deleted and renamed mailboxes, and moves as expunge + new', async () => {
    const box = await store.createMailbox(inbox.userId, 'Box');
    await store.deliver({ raw: message('m'), targets: [{ mailboxId: inbox.id }] });
    const inInbox: MailboxChange[] = [];
    const inBox: MailboxChange[] = [];
    store.watch(inbox.id, (changes) => inInbox.push(...changes));
    store.watch(box.id, (changes) => inBox.push(...changes));
    await store.moveMessages(inbox.id, [1], box.id);
    expect(inInbox.map((c) => [c.kind, 'uid' in c ? c.uid : null])).toEqual([['expunge', 1]]);
    expect(inBox.map((c) => [c.kind, 'uid' in c ? c.uid : null])).toEqual([['new', 1]]);
    await store.renameMailbox(inbox.userId, 'Box', 'Renamed');
    await store.deleteMailbox(inbox.userId, 'Renamed');
    expect(inBox.slice(1).map((c) => c.kind)).toEqual(['mailbox', 'mailbox']);
  });

  it('keeps notifying other watchers when one listener throws, and logs the failure', async () => {
    const warnings: Array<{ obj: object; msg: string | undefined }> = [];
    const logged = await temp.open({ logger: { warn: (obj, msg) => warnings.push({ obj, msg }) } });
    let calls = 0;
    logged.watch(inbox.id, () => {
      throw new Error('broken session');
    });
    logged.watch(inbox.id, () => (calls += 1));
    await logged.deliver({ raw: message('x'), targets: [{ mailboxId: inbox.id }] });
    expect(calls).toBe(1);
    expect(warnings).toEqual([{ obj: { err: new Error('broken session') }, msg: 'change listener threw' }]);
  });

  it('reaches another store instance on the same file within one second', async () => {
    const other = await temp.open({ changePollIntervalMs: 250 });
    const received = nextChanges(other, inbox.id, 1000);
    const sentAt = Date.now();
    await store.deliver({ raw: message('to the other instance'), targets: [{ mailboxId: inbox.id }] });
    const { changes, at } = await received;
    expect(changes).toEqual([{ kind: 'new', mailboxId: inbox.id, uid: 1, modseq: 2 }]);
    expect(at - sentAt).toBeLessThan(1000);
  });

  it('keeps UIDs unique and contiguous when two stores on the same data deliver at once', async () => {
    const other = await temp.open();
    const deliverMany = async (into: TestStore, label: string): Promise<number[]> => {
      const uids: number[] = [];
      for (let index = 0; index < 50; index += 1) {
        const result = await into.deliver({
          raw: message(`${label} ${index}`),
          targets: [{ mailboxId: inbox.id }],
        });
        uids.push(result.copies[0]?.uid ?? 0);
      }
      return uids;
    };
    const [ours, theirs] = await Promise.all([deliverMany(store, 'ours'), deliverMany(other, 'theirs')]);
    const all = [...ours, ...theirs].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 100 }, (_, index) => index + 1));
    expect((await store.listMessages(inbox.id)).map((m) => m.uid)).toEqual(all);
    expect((await other.mailboxStatus(inbox.id)).uidNext).toBe(101);
  });
});
