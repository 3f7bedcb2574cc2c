import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStores, message, userWithInbox } from '../test-support/temp-store.js';
import type { TestStore } from '../test-support/temp-store.js';
import type { Mailbox } from '../core/types.js';

/** The lean reads IMAP uses instead of listing every message as an object: getMessages, listMessageFlags. */
describe('message reads', () => {
  let temp: TempStores;
  let store: TestStore;
  let inbox: Mailbox;

  const deliver = async (count: number, flags: string[] = []): Promise<void> => {
    for (let i = 0; i < count; i += 1)
      await store.deliver({
        raw: message(`m${i}-${flags.join()}`),
        targets: [{ mailboxId: inbox.id }],
        flags,
      });
  };

  beforeEach(async () => {
    temp = new TempStores();
    store = await temp.open();
    ({ inbox } = await userWithInbox(store));
  });
  afterEach(() => temp.cleanup());

  it('getMessages returns the listed summaries of exactly the given UIDs, in UID order', async () => {
    await deliver(10);
    await store.expunge(inbox.id, [4]);
    const all = await store.listMessages(inbox.id);
    const byUid = (uids: number[]) => all.filter((m) => uids.includes(m.uid));
    // Dense (range scan), sparse (point lookups), unordered with duplicates, absent and empty.
    expect(await store.getMessages(inbox.id, [2, 3, 4, 5, 6])).toEqual(byUid([2, 3, 5, 6]));
    expect(await store.getMessages(inbox.id, [1, 10])).toEqual(byUid([1, 10]));
    expect(await store.getMessages(inbox.id, [9, 1, 9, 3])).toEqual(byUid([1, 3, 9]));
    expect(await store.getMessages(inbox.id, [4, 11, 500])).toEqual([]);
    expect(await store.getMessages(inbox.id, [])).toEqual([]);
  });

  it('getMessages sees flag changes and reads only the given mailbox', async () => {
    await deliver(3);
    const user = await store.ensureUser('u@example.com');
    const other = await store.getMailbox(user.id, 'Archive');
    if (other === null) throw new Error('no Archive');
    await store.deliver({ raw: message('elsewhere'), targets: [{ mailboxId: other.id }] });
    await store.setFlags(inbox.id, [2], 'add', ['\\Seen', '$Work']);
    const got = await store.getMessages(inbox.id, [1, 2, 3]);
    expect(got.map((m) => [m.uid, m.flags])).toEqual([
      [1, []],
      [2, ['\\Seen', '$Work']],
      [3, []],
    ]);
    expect((await store.getMessages(other.id, [1, 2, 3])).map((m) => m.uid)).toEqual([1]);
  });

  it('listMessageFlags matches listMessages, sharing one frozen array per distinct flag list', async () => {
    await deliver(3, ['\\Seen']);
    await deliver(2);
    await store.setFlags(inbox.id, [5], 'add', ['\\Flagged', 'Later']);
    await store.expunge(inbox.id, [2]);
    const list = await store.listMessageFlags(inbox.id);
    const all = await store.listMessages(inbox.id);
    expect(list.uids).toEqual([1, 3, 4, 5]);
    expect(list.uids).toEqual(all.map((m) => m.uid));
    expect(list.flags).toEqual(all.map((m) => m.flags));
    expect(list.modseqs).toEqual(all.map((m) => m.modseq));
    expect(list.flags).toEqual([['\\Seen'], ['\\Seen'], [], ['\\Flagged', 'Later']]);
    expect(list.flags[0]).toBe(list.flags[1]);
    expect(Object.isFrozen(list.flags[0])).toBe(true);
  });

  it('listMessageFlags of an empty mailbox is three empty lists', async () => {
    expect(await store.listMessageFlags(inbox.id)).toEqual({ uids: [], flags: [], modseqs: [] });
  });

  it('listMessageFlags of a kept list follows every change, also one made through another store', async () => {
    const kept = await temp.open({ flagListCacheMinMessages: 1 });
    const other = await temp.open();
    await deliver(4);
    const lean = async () => {
      const list = await kept.listMessageFlags(inbox.id);
      return list.uids.map((uid, i) => [uid, [...(list.flags[i] ?? [])], list.modseqs[i]]);
    };
    const truth = async () =>
      (await store.listMessages(inbox.id)).map((m) => [m.uid, [...m.flags], m.modseq]);
    expect(await lean()).toEqual(await truth());
    // A caller may edit its copy: the next caller still gets the store's list.
    (await kept.listMessageFlags(inbox.id)).uids.push(99);
    expect(await lean()).toEqual(await truth());
    await other.setFlags(inbox.id, [2], 'add', ['\\Seen']);
    expect(await lean()).toEqual(await truth());
    await other.expunge(inbox.id, [3]);
    expect(await lean()).toEqual(await truth());
    await other.deliver({ raw: message('late'), targets: [{ mailboxId: inbox.id }] });
    expect(await lean()).toEqual(await truth());
    expect((await lean()).map(([uid]) => uid)).toEqual([1, 2, 4, 5]);
  });
});
