import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHANGE_RETENTION_MS, EXPUNGED_HISTORY_RETENTION_MS } from '../core/limits.js';
import type { Mailbox } from '../core/types.js';
import { TempStores, message, userWithInbox, type TestStore } from '../test-support/temp-store.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Delivers `count` messages to the mailbox; returns their UIDs. */
async function fill(store: TestStore, mailbox: Mailbox, count: number): Promise<number[]> {
  const uids: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const result = await store.deliver({ raw: message(`m${i}`), targets: [{ mailboxId: mailbox.id }] });
    uids.push(result.copies[0]?.uid ?? 0);
  }
  return uids;
}

async function expungeUids(store: TestStore, mailbox: Mailbox, uids: number[]): Promise<number> {
  await store.expunge(mailbox.id, uids);
  return (await store.getMailboxById(mailbox.id))?.highestModseq ?? 0;
}

describe('expunge history (RFC 7162 QRESYNC) and \\Recent marks', () => {
  let temp: TempStores;
  let store: TestStore;
  let inbox: Mailbox;

  beforeEach(async () => {
    temp = new TempStores();
    store = await temp.open();
    ({ inbox } = await userWithInbox(store));
  });
  afterEach(() => temp.cleanup());

  it('names the UIDs expunged above a mod-sequence, in UID order, complete for a new mailbox', async () => {
    await fill(store, inbox, 6);
    const before = (await store.getMailboxById(inbox.id))!.highestModseq;
    const first = await expungeUids(store, inbox, [4, 2]);
    await expungeUids(store, inbox, [5]);
    expect(await store.expungedSince(inbox.id, 0)).toEqual({ uids: [2, 4, 5], complete: true });
    expect(await store.expungedSince(inbox.id, before)).toEqual({ uids: [2, 4, 5], complete: true });
    expect(await store.expungedSince(inbox.id, first)).toEqual({ uids: [5], complete: true });
    expect(await store.expungedSince(inbox.id, first + 1)).toEqual({ uids: [], complete: true });
  });

  it('records every way a message leaves: EXPUNGE of \\Deleted, MOVE out, and renaming INBOX', async () => {
    await fill(store, inbox, 4);
    const archive = (await store.getMailbox(inbox.userId, 'Archive'))!;
    await store.setFlags(inbox.id, [1], 'add', ['\\Deleted']);
    await store.expunge(inbox.id);
    await store.moveMessages(inbox.id, [3], archive.id);
    expect((await store.expungedSince(inbox.id, 0)).uids).toEqual([1, 3]);
    expect((await store.expungedSince(archive.id, 0)).uids).toEqual([]);
    await store.renameMailbox(inbox.userId, 'INBOX', 'Old');
    expect((await store.expungedSince(inbox.id, 0)).uids).toEqual([1, 2, 3, 4]);
  });

  it('outlives the change feed by months and is pruned only past its named retention', async () => {
    await fill(store, inbox, 5);
    const start = (await store.getMailboxById(inbox.id))!.highestModseq;
    const old = await expungeUids(store, inbox, [1, 2]);
    // Three months later (change rows long gone): the history still names them.
    await store.pruneHistory(Date.now() + 90 * DAY_MS);
    expect(await temp.query('SELECT uid FROM changes WHERE mailbox_id = ?', [inbox.id])).toEqual([]);
    expect(await store.expungedSince(inbox.id, start)).toEqual({ uids: [1, 2], complete: true });
    expect(CHANGE_RETENTION_MS).toBeLessThan(90 * DAY_MS);
    expect(EXPUNGED_HISTORY_RETENTION_MS).toBeGreaterThanOrEqual(365 * DAY_MS);

    // The first two expunges age past the retention; a later one does not.
    await temp.query('UPDATE expunged_uids SET expunged_at = ? WHERE mailbox_id = ?', [
      Date.now() - EXPUNGED_HISTORY_RETENTION_MS - DAY_MS,
      inbox.id,
    ]);
    const recent = await expungeUids(store, inbox, [4]);
    await store.pruneHistory();
    // Older than what is kept: incomplete, so a client that old is told about every missing UID.
    expect(await store.expungedSince(inbox.id, start)).toEqual({ uids: [4], complete: false });
    // From the newest pruned expunge on, the history is whole again.
    expect(await store.expungedSince(inbox.id, old)).toEqual({ uids: [4], complete: true });
    expect(await store.expungedSince(inbox.id, recent)).toEqual({ uids: [], complete: true });
  });

  it('is kept per mailbox, and goes with a deleted mailbox', async () => {
    const box = await store.createMailbox(inbox.userId, 'Box');
    await fill(store, inbox, 2);
    await fill(store, box, 3);
    await expungeUids(store, box, [2]);
    expect((await store.expungedSince(inbox.id, 0)).uids).toEqual([]);
    expect((await store.expungedSince(box.id, 0)).uids).toEqual([2]);
    await store.deleteMailbox(inbox.userId, 'Box');
    await expect(store.expungedSince(box.id, 0)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await temp.query('SELECT uid FROM expunged_uids WHERE mailbox_id = ?', [box.id])).toEqual([]);
  });

  it('claims each \\Recent UID once across stores on the same data (processes, nodes)', async () => {
    const other = await temp.open();
    await fill(store, inbox, 3);
    expect(await store.recentMark(inbox.id)).toBe(0);
    // Both claim at once: exactly one of them gets the messages above the old mark.
    const [a, b] = await Promise.all([store.claimRecent(inbox.id, 3), other.claimRecent(inbox.id, 3)]);
    expect([a, b].sort()).toEqual([0, 3]);
    expect(await other.recentMark(inbox.id)).toBe(3);
    // A lower claim never lowers the mark.
    expect(await other.claimRecent(inbox.id, 2)).toBe(3);
    expect(await store.recentMark(inbox.id)).toBe(3);
    await expect(store.claimRecent(99_999, 1)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
