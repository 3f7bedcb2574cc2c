import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStores, message, userWithInbox } from '../test-support/temp-store.js';
import type { TestStore } from '../test-support/temp-store.js';
import type { Mailbox, User } from '../core/types.js';

describe('messages', () => {
  let temp: TempStores;
  let store: TestStore;
  let user: User;
  let inbox: Mailbox;

  /** Body rows as stored: [hash, refcount], read with a separate plain connection. */
  const bodyRows = async (): Promise<Array<[unknown, unknown]>> =>
    (await temp.query('SELECT hash, refcount FROM bodies ORDER BY hash')).map((row) => [
      row['hash'],
      row['refcount'],
    ]);
  const uids = async (mailboxId: number): Promise<number[]> =>
    (await store.listMessages(mailboxId)).map((m) => m.uid);
  const deliverTo = async (mailboxId: number, subject: string): Promise<number> => {
    const result = await store.deliver({ raw: message(subject), targets: [{ mailboxId }] });
    return result.copies[0]?.uid ?? -1;
  };

  beforeEach(async () => {
    temp = new TempStores();
    store = await temp.open();
    ({ user, inbox } = await userWithInbox(store));
  });
  afterEach(() => temp.cleanup());

  it('assigns growing UIDs and never reuses one after expunge', async () => {
    expect([
      await deliverTo(inbox.id, 'a'),
      await deliverTo(inbox.id, 'b'),
      await deliverTo(inbox.id, 'c'),
    ]).toEqual([1, 2, 3]);
    expect(await store.expunge(inbox.id, [3, 2])).toEqual([2, 3]);
    expect(await uids(inbox.id)).toEqual([1]);
    expect(await deliverTo(inbox.id, 'd')).toBe(4);
    expect(await uids(inbox.id)).toEqual([1, 4]);
    expect((await store.getMailbox(user.id, 'INBOX'))?.uidNext).toBe(5);
  });

  it('stores what deliver returns: copies, UIDVALIDITY, size, internal date, flags', async () => {
    const raw = message('exact');
    const date = new Date('2024-01-02T03:04:05.000Z');
    const result = await store.deliver({
      raw,
      targets: [{ userId: user.id }, { userId: user.id, mailbox: 'Archive' }, { mailboxId: inbox.id }],
      flags: ['\\seen', '$Label1'],
      internalDate: date,
    });
    const archive = await store.getMailbox(user.id, 'Archive');
    expect(result.copies).toEqual([
      {
        messageId: expect.any(Number),
        mailboxId: inbox.id,
        userId: user.id,
        uid: 1,
        uidValidity: inbox.uidValidity,
      },
      {
        messageId: expect.any(Number),
        mailboxId: archive?.id,
        userId: user.id,
        uid: 1,
        uidValidity: archive?.uidValidity,
      },
    ]);
    expect(result.queued).toEqual([]);
    const stored = await store.getMessage(inbox.id, 1);
    expect(stored).toEqual({
      id: result.copies[0]?.messageId,
      mailboxId: inbox.id,
      uid: 1,
      flags: ['\\Seen', '$Label1'],
      internalDate: date,
      size: raw.length,
      modseq: 2,
      bodyHash: result.bodyHash,
      saveDate: expect.any(Date),
    });
    expect((await store.readBody(result.bodyHash)).equals(raw)).toBe(true);
    expect(await store.getMessage(inbox.id, 99)).toBeNull();
    await expect(store.readBody('0'.repeat(64))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('rejects bad deliveries without storing anything', async () => {
    await expect(store.deliver({ raw: message('x'), targets: [] })).rejects.toMatchObject({
      code: 'INVALID',
    });
    await expect(
      store.deliver({ raw: Buffer.alloc(0), targets: [{ mailboxId: inbox.id }] }),
    ).rejects.toMatchObject({ code: 'INVALID' });
    await expect(
      store.deliver({ raw: message('x'), targets: [{ mailboxId: inbox.id }], flags: ['\\Recent'] }),
    ).rejects.toMatchObject({ code: 'INVALID' });
    await expect(
      store.deliver({ raw: message('x'), targets: [{ mailboxId: inbox.id }, { mailboxId: 9999 }] }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      store.deliver({ raw: message('x'), targets: [{ userId: user.id, mailbox: 'Nope' }] }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await uids(inbox.id)).toEqual([]);
    expect(await bodyRows()).toEqual([]);
  });

  it('deliverAll stores several deliveries in one commit, all or none (IMAP MULTIAPPEND)', async () => {
    const [first, second] = await store.deliverAll([
      { raw: message('one'), targets: [{ mailboxId: inbox.id }], flags: ['\\Seen'] },
      {
        raw: message('two'),
        targets: [{ mailboxId: inbox.id }],
        internalDate: new Date('2024-01-02T00:00:00Z'),
      },
    ]);
    expect([first?.copies[0]?.uid, second?.copies[0]?.uid]).toEqual([1, 2]);
    const stored = await store.listMessages(inbox.id);
    expect(
      stored.map((m) => [m.uid, m.flags, m.internalDate.toISOString() === '2024-01-02T00:00:00.000Z']),
    ).toEqual([
      [1, ['\\Seen'], false],
      [2, [], true],
    ]);
    const before = await bodyRows();
    // The second delivery names a mailbox that does not exist: the first is not stored either,
    // and no UID is used up by the attempt.
    await expect(
      store.deliverAll([
        { raw: message('three'), targets: [{ mailboxId: inbox.id }] },
        { raw: message('four'), targets: [{ mailboxId: inbox.id + 999_999 }] },
      ]),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // A bad flag is refused before anything is written.
    await expect(
      store.deliverAll([
        { raw: message('five'), targets: [{ mailboxId: inbox.id }] },
        { raw: message('six'), targets: [{ mailboxId: inbox.id }], flags: ['\\Bogus'] },
      ]),
    ).rejects.toMatchObject({ code: 'INVALID' });
    await expect(store.deliverAll([])).rejects.toMatchObject({ code: 'INVALID' });
    expect(await uids(inbox.id)).toEqual([1, 2]);
    expect(await bodyRows()).toEqual(before);
    expect(await deliverTo(inbox.id, 'after')).toBe(3);
  });

  it('deliverAll takes a bulk import in big batches, two in flight, UIDs in order (minimail import)', async () => {
    // As packages/mailbox-io's importer and the bench's seeding use it: batches of hundreds, the
    // next one queued while the previous one commits.
    const BATCH = 500;
    const batch = (from: number) =>
      Array.from({ length: BATCH }, (_, i) => ({
        raw: message(`bulk ${from + i}`),
        targets: [{ mailboxId: inbox.id }],
        flags: (from + i) % 2 === 0 ? ['\\Seen'] : [],
        internalDate: new Date(Date.UTC(2024, 0, 1) + (from + i) * 60_000),
      }));
    const [first, second] = await Promise.all([store.deliverAll(batch(0)), store.deliverAll(batch(BATCH))]);
    const returned = [...first, ...second].map((result) => result.copies[0]?.uid);
    expect(returned).toEqual(Array.from({ length: 2 * BATCH }, (_, i) => i + 1));
    const stored = await store.listMessages(inbox.id);
    expect(stored).toHaveLength(2 * BATCH);
    expect(stored.map((m) => [m.uid, m.flags, m.internalDate.getTime()])).toEqual(
      Array.from({ length: 2 * BATCH }, (_, i) => [
        i + 1,
        i % 2 === 0 ? ['\\Seen'] : [],
        Date.UTC(2024, 0, 1) + i * 60_000,
      ]),
    );
    const status = await store.mailboxStatus(inbox.id);
    expect([status.messages, status.unseen, status.uidNext]).toEqual([2 * BATCH, BATCH, 2 * BATCH + 1]);
    expect(await bodyRows()).toHaveLength(2 * BATCH);
  });

  it('canonicalises system flags, keeps keywords, rejects \\Recent and unknown backslash flags', async () => {
    await deliverTo(inbox.id, 'a');
    const changed = await store.setFlags(inbox.id, [1], 'add', ['\\FLAGGED', 'Work', '\\seen', 'work']);
    expect(changed.map((m) => [m.uid, m.flags, m.modseq])).toEqual([[1, ['\\Seen', '\\Flagged', 'Work'], 3]]);
    await expect(store.setFlags(inbox.id, [1], 'add', ['\\Recent'])).rejects.toMatchObject({
      code: 'INVALID',
    });
    await expect(store.setFlags(inbox.id, [1], 'add', ['\\Important'])).rejects.toMatchObject({
      code: 'INVALID',
    });
    await expect(store.setFlags(inbox.id, [1], 'add', ['bad(keyword'])).rejects.toMatchObject({
      code: 'INVALID',
    });
    // Setting flags that are already set changes nothing and bumps no modseq.
    expect(await store.setFlags(inbox.id, [1], 'add', ['\\Seen'])).toEqual([]);
    expect((await store.setFlags(inbox.id, [1], 'remove', ['\\seen', 'WORK'])).map((m) => m.flags)).toEqual([
      ['\\Flagged'],
    ]);
    expect(
      (await store.setFlags(inbox.id, [1, 2, 3], 'replace', ['$Done'])).map((m) => [
        m.uid,
        m.flags,
        m.modseq,
      ]),
    ).toEqual([[1, ['$Done'], 5]]);
    expect((await store.mailboxStatus(inbox.id)).highestModseq).toBe(5);
  });

  it('changes flags only where modseq is at most UNCHANGEDSINCE, and names the rest (RFC 7162 3.1.3)', async () => {
    for (const subject of ['a', 'b', 'c']) await deliverTo(inbox.id, subject);
    // Modseqs after delivery: 2, 3, 4 (a new mailbox starts at 1). Message 3 moves on to 5.
    await store.setFlags(inbox.id, [3], 'add', ['\\Answered']);
    const result = await store.setFlagsUnchangedSince(inbox.id, [1, 2, 3, 99], 'add', ['\\Seen'], 4);
    // One STORE, one mod-sequence for every message it changes (RFC 7162 3.1; issue 20).
    expect(result.changed.map((m) => [m.uid, m.flags, m.modseq])).toEqual([
      [1, ['\\Seen'], 6],
      [2, ['\\Seen'], 6],
    ]);
    expect(result.unchanged).toEqual([]);
    expect(result.modified).toEqual([3]);
    expect((await store.getMessage(inbox.id, 3))!.flags).toEqual(['\\Answered']);
    // Already as asked: passes the test, changes nothing, keeps its modseq.
    const again = await store.setFlagsUnchangedSince(inbox.id, [1], 'add', ['\\Seen'], 6);
    expect(again.changed).toEqual([]);
    expect(again.unchanged.map((m) => [m.uid, m.modseq])).toEqual([[1, 6]]);
    // UNCHANGEDSINCE 0 fails for every message (each has a modseq of at least 1).
    expect((await store.setFlagsUnchangedSince(inbox.id, [1, 2], 'remove', ['\\Seen'], 0)).modified).toEqual([
      1, 2,
    ]);
    expect((await store.mailboxStatus(inbox.id)).highestModseq).toBe(6);
  });

  it('gives every message one STORE changes the same new mod-sequence, and logs each change (RFC 7162 3.1)', async () => {
    for (const subject of ['a', 'b', 'c', 'd']) await deliverTo(inbox.id, subject);
    // Modseqs after delivery: 2..5. Message 2 gets \Flagged (6), so +FLAGS \Seen below leaves
    // two different flag lists: [\Seen] for 1, 3, 4 and [\Seen \Flagged] for 2.
    await store.setFlags(inbox.id, [2], 'add', ['\\Flagged']);
    const seen: Array<[string, number | null, number, readonly string[] | undefined]> = [];
    const unwatch = store.watch(inbox.id, (changes) => {
      for (const change of changes)
        if (change.kind === 'flags') seen.push([change.kind, change.uid, change.modseq, change.flags]);
    });
    const changed = await store.setFlags(inbox.id, [4, 3, 2, 1, 99], 'add', ['\\Seen']);
    expect(changed.map((m) => [m.uid, m.flags, m.modseq])).toEqual([
      [1, ['\\Seen'], 7],
      [2, ['\\Seen', '\\Flagged'], 7],
      [3, ['\\Seen'], 7],
      [4, ['\\Seen'], 7],
    ]);
    expect((await store.mailboxStatus(inbox.id)).highestModseq).toBe(7);
    expect((await store.listMessages(inbox.id)).map((m) => [m.uid, m.flags, m.modseq])).toEqual([
      [1, ['\\Seen'], 7],
      [2, ['\\Seen', '\\Flagged'], 7],
      [3, ['\\Seen'], 7],
      [4, ['\\Seen'], 7],
    ]);
    expect((await store.mailboxStatus(inbox.id)).unseen).toBe(0);
    // The next STORE takes a larger one; one that changes nothing takes none.
    expect(await store.setFlags(inbox.id, [1, 3], 'add', ['\\Seen'])).toEqual([]);
    expect(
      (await store.setFlags(inbox.id, [3, 1], 'remove', ['\\Seen'])).map((m) => [m.uid, m.modseq]),
    ).toEqual([
      [1, 8],
      [3, 8],
    ]);
    unwatch();
    expect(seen).toEqual([
      ['flags', 1, 7, ['\\Seen']],
      ['flags', 2, 7, ['\\Seen', '\\Flagged']],
      ['flags', 3, 7, ['\\Seen']],
      ['flags', 4, 7, ['\\Seen']],
      ['flags', 1, 8, []],
      ['flags', 3, 8, []],
    ]);
  });

  it('changes thousands of messages with one STORE and one mod-sequence', async () => {
    await store.deliverAll(
      Array.from({ length: 3_000 }, (_, i) => ({
        raw: message(`m${i}`),
        targets: [{ mailboxId: inbox.id }],
      })),
    );
    const before = (await store.mailboxStatus(inbox.id)).highestModseq;
    const all = Array.from({ length: 3_000 }, (_, i) => i + 1);
    const changed = await store.setFlags(inbox.id, all, 'add', ['\\Seen']);
    expect(changed.length).toBe(3_000);
    expect(new Set(changed.map((m) => m.modseq))).toEqual(new Set([before + 1]));
    const status = await store.mailboxStatus(inbox.id);
    expect([status.highestModseq, status.unseen]).toEqual([before + 1, 0]);
  });

  it('keeps unseen counts in step with \\Seen', async () => {
    await deliverTo(inbox.id, 'a');
    await deliverTo(inbox.id, 'b');
    await store.setFlags(inbox.id, [2], 'add', ['\\Seen']);
    expect(await store.mailboxStatus(inbox.id)).toMatchObject({ messages: 2, unseen: 1 });
  });

  it('expunges \\Deleted messages when no UIDs are given, exactly the given UIDs otherwise', async () => {
    for (const subject of ['a', 'b', 'c', 'd']) await deliverTo(inbox.id, subject);
    await store.setFlags(inbox.id, [1, 3], 'add', ['\\Deleted']);
    expect(await store.expunge(inbox.id)).toEqual([1, 3]);
    expect(await uids(inbox.id)).toEqual([2, 4]);
    expect(await store.expunge(inbox.id, [4, 77])).toEqual([4]);
    expect(await uids(inbox.id)).toEqual([2]);
  });

  it('copies with COPYUID data, sharing the body', async () => {
    const archive = await store.getMailbox(user.id, 'Archive');
    const archiveId = archive?.id ?? 0;
    await deliverTo(archiveId, 'pre-existing');
    await deliverTo(inbox.id, 'a');
    await deliverTo(inbox.id, 'b');
    await store.setFlags(inbox.id, [2], 'add', ['\\Flagged']);
    const result = await store.copyMessages(inbox.id, [2, 1, 9], archiveId);
    expect(result).toEqual({ uidValidity: archive?.uidValidity, sourceUids: [1, 2], targetUids: [2, 3] });
    const copied = await store.getMessage(archiveId, 3);
    const original = await store.getMessage(inbox.id, 2);
    expect(copied?.flags).toEqual(['\\Flagged']);
    expect(copied?.bodyHash).toBe(original?.bodyHash);
    expect(copied?.internalDate).toEqual(original?.internalDate);
    expect(await uids(inbox.id)).toEqual([1, 2]);
  });

  it('moves: gone from the source, new UIDs in the target, same message identity', async () => {
    const trash = await store.getMailbox(user.id, 'Trash');
    const trashId = trash?.id ?? 0;
    await deliverTo(inbox.id, 'a');
    await deliverTo(inbox.id, 'b');
    const before = await store.getMessage(inbox.id, 2);
    expect(await store.moveMessages(inbox.id, [2], trashId)).toEqual({
      uidValidity: trash?.uidValidity,
      sourceUids: [2],
      targetUids: [1],
    });
    expect(await uids(inbox.id)).toEqual([1]);
    expect((await store.getMessage(trashId, 1))?.id).toBe(before?.id);
    await expect(store.moveMessages(inbox.id, [1], inbox.id)).rejects.toMatchObject({ code: 'INVALID' });
  });

  it('stores each body once, counts every reference, and removes it with the last one', async () => {
    const bob = await store.ensureUser('bob@example.com');
    const raw = message('shared');
    const result = await store.deliver({
      raw,
      targets: [{ userId: user.id }, { userId: bob.id }],
      outbound: { sender: 'u@example.com', recipients: ['far@remote.org'] },
    });
    const hash = result.bodyHash;
    expect(await bodyRows()).toEqual([[hash, 3]]);
    // The same bytes delivered again are not stored again.
    await store.deliver({ raw, targets: [{ userId: user.id }] });
    expect(await bodyRows()).toEqual([[hash, 4]]);
    await store.copyMessages(inbox.id, [1], (await store.getMailbox(user.id, 'Archive'))?.id ?? 0);
    expect(await bodyRows()).toEqual([[hash, 5]]);
    await store.moveMessages(inbox.id, [2], (await store.getMailbox(user.id, 'Trash'))?.id ?? 0);
    expect(await bodyRows()).toEqual([[hash, 5]]);

    await store.expunge(inbox.id, [1]);
    expect(await bodyRows()).toEqual([[hash, 4]]);
    await store.removeUser('bob@example.com'); // cascade through mailboxes and messages
    expect(await bodyRows()).toEqual([[hash, 3]]);
    await store.deleteMailbox(user.id, 'Archive');
    await store.deleteMailbox(user.id, 'Trash');
    expect(await bodyRows()).toEqual([[hash, 1]]); // only the outbound entry still holds it
    expect(
      (await store.listOutbound()).map((e) => [e.recipient, e.bodyHash, e.size, e.status, e.attempts]),
    ).toEqual([['far@remote.org', hash, raw.length, 'queued', 0]]);
    await temp.query('DELETE FROM outbound');
    expect(await bodyRows()).toEqual([]);
  });

  it('queues one outbound entry per remote recipient in the same commit', async () => {
    const result = await store.deliver({
      raw: message('out'),
      targets: [],
      outbound: { sender: 'u@example.com', recipients: ['A@remote.org', 'b@other.net'] },
    });
    expect(result.copies).toEqual([]);
    const entries = await store.listOutbound();
    expect(entries.map((e) => e.id)).toEqual(result.queued);
    expect(entries.map((e) => [e.sender, e.recipient])).toEqual([
      ['u@example.com', 'a@remote.org'],
      ['u@example.com', 'b@other.net'],
    ]);
  });
  it('records a save date (RFC 8514) on delivery, COPY and MOVE, apart from the internal date', async () => {
    const internalDate = new Date('2001-02-03T04:05:06.000Z');
    const before = Date.now();
    await store.deliver({ raw: message('saved'), targets: [{ mailboxId: inbox.id }], internalDate });
    const [delivered] = await store.listMessages(inbox.id);
    expect(delivered?.internalDate).toEqual(internalDate);
    const saved = delivered?.saveDate.getTime() ?? 0;
    expect(saved).toBeGreaterThanOrEqual(before);
    expect(saved).toBeLessThanOrEqual(Date.now());

    const archive = await store.createMailbox(user.id, 'Saved copies');
    const other = await store.createMailbox(user.id, 'Saved moves');
    // A later copy or move is saved into its target later (or in the same millisecond).
    await store.copyMessages(inbox.id, [1], archive.id);
    const [copied] = await store.listMessages(archive.id);
    expect(copied?.internalDate).toEqual(internalDate);
    expect(copied?.saveDate.getTime()).toBeGreaterThanOrEqual(saved);
    await store.moveMessages(archive.id, [1], other.id);
    const [moved] = await store.getMessages(other.id, [1]);
    expect(moved?.saveDate.getTime()).toBeGreaterThanOrEqual(copied?.saveDate.getTime() ?? 0);
    expect(moved?.saveDate.getTime()).toBeLessThanOrEqual(Date.now());
  });
});
