import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError, type Mailbox } from '../core/types.js';
import { TempStores, message, userWithInbox, type TestStore } from '../test-support/temp-store.js';

/**
 * A stand-in for IMAP's sortKeysOf hook (the store never looks inside the keys): the Subject
 * line and the length, as JSON.
 */
const keysOf = (raw: Buffer): string => {
  const subject = /^Subject: (.*)$/m.exec(raw.toString('latin1'))?.[1]?.trim() ?? '';
  return JSON.stringify([subject, raw.length]);
};

/** IMAP SORT/THREAD's lean read and the recorded per-body keys (docs/adr/0037). */
describe('sort keys', () => {
  let temp: TempStores;
  let store: TestStore;
  let inbox: Mailbox;

  beforeEach(async () => {
    temp = new TempStores();
    store = await temp.open({ sortKeysOf: keysOf });
    ({ inbox } = await userWithInbox(store));
  });
  afterEach(() => temp.cleanup());

  it('listSortKeys gives UIDs, internal dates, sizes and the keys recorded at delivery, in UID order', async () => {
    for (const [i, subject] of ['b', 'a', 'c', 'a'].entries())
      await store.deliver({
        raw: message(subject, `body ${i}`),
        targets: [{ mailboxId: inbox.id }],
        internalDate: new Date(Date.UTC(2026, 0, 1 + i)),
      });
    await store.expunge(inbox.id, [3]);
    const list = await store.listSortKeys(inbox.id);
    const all = await store.listMessages(inbox.id);
    expect(list.uids).toEqual([1, 2, 4]);
    expect(list.internalDates).toEqual(all.map((m) => m.internalDate.getTime()));
    expect(list.sizes).toEqual(all.map((m) => m.size));
    expect(list.keys).toEqual([
      ['b', all[0]?.size],
      ['a', all[1]?.size],
      ['a', all[2]?.size],
    ]);
  });

  it('listSortKeys of an empty mailbox is empty lists', async () => {
    expect(await store.listSortKeys(inbox.id)).toEqual({ uids: [], internalDates: [], sizes: [], keys: [] });
  });

  it('a body stored without keys reads null until recordSortKeys, which never replaces recorded keys', async () => {
    const plain = await temp.open();
    await plain.deliver({ raw: message('old', 'shared body'), targets: [{ mailboxId: inbox.id }] });
    await store.deliver({ raw: message('new'), targets: [{ mailboxId: inbox.id }] });
    const listed = await store.listMessages(inbox.id);
    expect((await store.listSortKeys(inbox.id)).keys).toEqual([null, ['new', listed[1]?.size]]);
    // A copy of the same body (delivered again, with keys this time) shares the body row: still none.
    await store.deliver({ raw: message('old', 'shared body'), targets: [{ mailboxId: inbox.id }] });
    expect((await store.listSortKeys(inbox.id)).keys[2]).toBeNull();
    const [first, second] = listed;
    if (first === undefined || second === undefined) throw new Error('two messages expected');
    await plain.recordSortKeys([
      { bodyHash: first.bodyHash, sortKeys: '{"filled":1}' },
      { bodyHash: second.bodyHash, sortKeys: '{"replaced":1}' },
    ]);
    expect((await store.listSortKeys(inbox.id)).keys).toEqual([
      { filled: 1 },
      ['new', second.size],
      { filled: 1 },
    ]);
    await expect(store.recordSortKeys([{ bodyHash: first.bodyHash, sortKeys: 'not json' }])).rejects.toThrow(
      StoreError,
    );
    await store.recordSortKeys([]);
  });

  it('a hook that throws or returns no JSON stores the body without keys', async () => {
    const warnings: string[] = [];
    const logger = { warn: (_: unknown, text: string) => warnings.push(text) };
    const throwing = await temp.open({
      logger: logger as never,
      sortKeysOf: () => {
        throw new Error('no keys');
      },
    });
    const garbled = await temp.open({ logger: logger as never, sortKeysOf: () => '{' });
    await throwing.deliver({ raw: message('one'), targets: [{ mailboxId: inbox.id }] });
    await garbled.deliver({ raw: message('two'), targets: [{ mailboxId: inbox.id }] });
    expect((await store.listSortKeys(inbox.id)).keys).toEqual([null, null]);
    expect(warnings.filter((text) => text.includes('sortKeysOf'))).toHaveLength(2);
  });

  it('a kept list follows every change, also one made through another store, and only a complete one is kept', async () => {
    const kept = await temp.open({ sortKeysOf: keysOf, flagListCacheMinMessages: 1 });
    const other = await temp.open();
    for (let i = 0; i < 3; i += 1)
      await store.deliver({ raw: message(`m${i}`), targets: [{ mailboxId: inbox.id }] });
    const truth = async () => {
      const all = await store.listMessages(inbox.id);
      return { uids: all.map((m) => m.uid), sizes: all.map((m) => m.size) };
    };
    const lean = async () => {
      const list = await kept.listSortKeys(inbox.id);
      return { uids: [...list.uids], sizes: [...list.sizes] };
    };
    expect(await lean()).toEqual(await truth());
    expect(await kept.listSortKeys(inbox.id)).toBe(await kept.listSortKeys(inbox.id));
    await other.setFlags(inbox.id, [2], 'add', ['\\Seen']);
    expect(await lean()).toEqual(await truth());
    await other.expunge(inbox.id, [1]);
    expect(await lean()).toEqual(await truth());
    // Delivered without keys: the list is not kept, so keys recorded later are seen at once.
    await other.deliver({ raw: message('late'), targets: [{ mailboxId: inbox.id }] });
    expect(await lean()).toEqual(await truth());
    expect((await kept.listSortKeys(inbox.id)).keys[2]).toBeNull();
    const late = (await store.listMessages(inbox.id))[2];
    if (late === undefined) throw new Error('three messages expected');
    await other.recordSortKeys([{ bodyHash: late.bodyHash, sortKeys: '["late"]' }]);
    expect((await kept.listSortKeys(inbox.id)).keys[2]).toEqual(['late']);
    expect((await lean()).uids).toEqual([2, 3, 4]);
  });
});
