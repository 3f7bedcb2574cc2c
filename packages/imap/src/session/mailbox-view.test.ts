/** MailboxView over a real store: renumbering on expunge and the order of drained notifications. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openStore, type Mailbox, type MailStore } from '@minimail/store';
import { MailboxView } from './mailbox-view.js';
import { RecentTracker } from './recent-tracker.js';

let dir: string;
let store: MailStore;
let inbox: Mailbox;
let view: MailboxView | null = null;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'minimail-view-'));
  store = openStore({ path: join(dir, 'store.sqlite') });
  const user = await store.ensureUser('alice@example.com');
  inbox = (await store.getMailbox(user.id, 'INBOX'))!;
});
afterEach(async () => {
  view?.close();
  view = null;
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

async function deliver(count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    await store.deliver({
      raw: Buffer.from(`Subject: ${i}\r\n\r\nx\r\n`),
      targets: [{ mailboxId: inbox.id }],
    });
  }
}

const lines = (buffers: Buffer[]): string[] => buffers.map((b) => b.toString().trimEnd());

/** What the view sends outside `drain` (SELECT, FETCH, STORE, EXPUNGE), as lines. */
let sent: string[] = [];
const sink = (data: Buffer): Promise<void> => {
  sent.push(...lines([data]));
  return Promise.resolve();
};
beforeEach(() => {
  sent = [];
});

it('removeMany returns each EXPUNGE number after the previous ones took effect (RFC 3501 7.4.1)', async () => {
  await deliver(6);
  view = await MailboxView.open(store, inbox, false, new RecentTracker(store), sink, () => undefined);
  expect(view.removeMany([5, 2, 3, 99, 2])).toEqual([2, 2, 3]);
  expect(view.allUids).toEqual([1, 4, 6]);
  expect(view.sequenceOf(6)).toBe(3);
});

it('holds expunges back when not allowed, and sends EXISTS before EXPUNGE in one drain', async () => {
  await deliver(2);
  view = await MailboxView.open(store, inbox, false, new RecentTracker(store), sink, () => undefined);
  await store.expunge(inbox.id, [1]);
  await deliver(1);
  await store.expunge(inbox.id, [3]);
  expect(lines(await view.drain({ allowExpunge: false, condstore: false }))).toEqual([
    '* 3 EXISTS',
    '* 3 RECENT',
  ]);
  expect(view.exists).toBe(3);
  expect(lines(await view.drain({ allowExpunge: true, condstore: false }))).toEqual([
    '* 1 EXPUNGE',
    '* 2 EXPUNGE',
  ]);
  expect(view.allUids).toEqual([2]);
});

it('a read-only view claims no \\Recent; the first read-write view claims them once', async () => {
  await deliver(2);
  const tracker = new RecentTracker(store);
  const examine = await MailboxView.open(store, inbox, true, tracker, sink, () => undefined);
  expect(examine.recentCount).toBe(0);
  examine.close();
  view = await MailboxView.open(store, inbox, false, tracker, sink, () => undefined);
  expect(view.recentCount).toBe(2);
  const second = await MailboxView.open(store, inbox, false, tracker, sink, () => undefined);
  expect(second.recentCount).toBe(0);
  second.close();
});

it('keeps flags beside UIDs through expunges: keywords, first unseen, and changes told once', async () => {
  await deliver(4);
  await store.setFlags(inbox.id, [1, 2], 'add', ['\\Seen']);
  await store.setFlags(inbox.id, [3], 'add', ['$Work']);
  view = await MailboxView.open(store, inbox, false, new RecentTracker(store), sink, () => undefined);
  expect(view.keywords()).toEqual(['$Work']);
  expect(view.firstUnseen()).toBe(3);
  expect(view.flagsOf(2)).toEqual(['\\Seen']);
  await store.expunge(inbox.id, [1]);
  await store.setFlags(inbox.id, [3], 'replace', ['\\Seen']);
  expect(lines(await view.drain({ allowExpunge: true, condstore: false }))).toEqual([
    '* 3 FETCH (FLAGS (\\Seen \\Recent))',
    '* 1 EXPUNGE',
  ]);
  expect(view.flagsOf(3)).toEqual(['\\Seen']);
  expect(view.flagsOf(4)).toEqual([]);
  expect(view.firstUnseen()).toBe(3);
  // The same flags again (e.g. a change this session already announced) are not told twice.
  await view.remember(4, { flags: ['\\Flagged'], modseq: 0 });
  await store.setFlags(inbox.id, [4], 'add', ['\\Flagged']);
  expect(lines(await view.drain({ allowExpunge: true, condstore: false }))).toEqual([]);
});

it('a message that arrived after SELECT has unknown flags: any change to them is told, even to none', async () => {
  view = await MailboxView.open(store, inbox, false, new RecentTracker(store), sink, () => undefined);
  await store.deliver({
    raw: Buffer.from('Subject: n\r\n\r\nx\r\n'),
    targets: [{ mailboxId: inbox.id }],
    flags: ['\\Seen'],
  });
  expect(lines(await view.drain({ allowExpunge: true, condstore: false }))).toEqual([
    '* 1 EXISTS',
    '* 1 RECENT',
  ]);
  await store.setFlags(inbox.id, [1], 'remove', ['\\Seen']);
  expect(lines(await view.drain({ allowExpunge: true, condstore: false }))).toEqual([
    '* 1 FETCH (FLAGS (\\Recent))',
  ]);
});

it('a view without \\Recent messages says 0 RECENT, and holds back expunges again after a drain', async () => {
  await deliver(2);
  const tracker = new RecentTracker(store);
  const first = await MailboxView.open(store, inbox, false, tracker, sink, () => undefined);
  view = await MailboxView.open(store, inbox, false, tracker, sink, () => undefined);
  expect(view.recentCount).toBe(0);
  await deliver(1);
  // RFC 3501 2.3.1.1 \Recent: the new message is recent in one session only, the first to see it.
  expect(lines(await first.drain({ allowExpunge: true, condstore: false }))).toEqual([
    '* 3 EXISTS',
    '* 3 RECENT',
  ]);
  first.close();
  expect(lines(await view.drain({ allowExpunge: true, condstore: false }))).toEqual([
    '* 3 EXISTS',
    '* 0 RECENT',
  ]);
  expect(view.isRecent(3)).toBe(false);
  await store.expunge(inbox.id, [1]);
  expect(lines(await view.drain({ allowExpunge: true, condstore: false }))).toEqual(['* 1 EXPUNGE']);
  await store.expunge(inbox.id, [2]);
  expect(lines(await view.drain({ allowExpunge: false, condstore: false }))).toEqual([]);
  expect(view.exists).toBe(2);
  expect(lines(await view.drain({ allowExpunge: true, condstore: false }))).toEqual(['* 1 EXPUNGE']);
  expect(view.allUids).toEqual([3]);
});

it('announces EXISTS before any FETCH of a message new in the same drain (RFC 3501 7.3.1)', async () => {
  await deliver(1);
  view = await MailboxView.open(store, inbox, false, new RecentTracker(store), sink, () => undefined);
  await deliver(1);
  await store.setFlags(inbox.id, [2], 'add', ['\\Flagged']);
  await store.setFlags(inbox.id, [1], 'add', ['\\Seen']);
  expect(lines(await view.drain({ allowExpunge: true, condstore: true }))).toEqual([
    '* 2 EXISTS',
    '* 2 RECENT',
    '* 1 FETCH (UID 1 FLAGS (\\Seen \\Recent) MODSEQ (5))',
    '* 2 FETCH (UID 2 FLAGS (\\Flagged \\Recent) MODSEQ (4))',
  ]);
});

it("never tells a MODSEQ below one already told: another session's older change is dropped (RFC 7162 3.1)", async () => {
  await deliver(1);
  view = await MailboxView.open(store, inbox, false, new RecentTracker(store), sink, () => undefined);
  // Another session's change (modseq 3), then this session's own STORE (modseq 4), told at once.
  await store.setFlags(inbox.id, [1], 'add', ['\\Flagged']);
  const [own] = await store.setFlags(inbox.id, [1], 'add', ['\\Seen']);
  await view.sendFetch(
    1,
    [
      ['UID', 1],
      ['MODSEQ', [own!.modseq]],
    ],
    { flags: own!.flags, modseq: own!.modseq },
  );
  expect(sent).toEqual(['* 1 FETCH (UID 1 MODSEQ (4))']);
  // Both changes are still pending in the feed: neither is news any more.
  expect(lines(await view.drain({ allowExpunge: true, condstore: true }))).toEqual([]);
  await store.setFlags(inbox.id, [1], 'remove', ['\\Seen']);
  expect(lines(await view.drain({ allowExpunge: true, condstore: true }))).toEqual([
    '* 1 FETCH (UID 1 FLAGS (\\Flagged \\Recent) MODSEQ (5))',
  ]);
});

it('lists a keyword in FLAGS and PERMANENTFLAGS before the first FETCH that shows it (RFC 3501 7.2.6)', async () => {
  await deliver(1);
  await store.setFlags(inbox.id, [1], 'add', ['$Old']);
  view = await MailboxView.open(store, inbox, false, new RecentTracker(store), sink, () => undefined);
  await view.announceOpened();
  expect(sent.slice(0, 2)).toEqual([
    '* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $Old)',
    '* OK [PERMANENTFLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $Old \\*)] Flags permitted',
  ]);
  await store.setFlags(inbox.id, [1], 'add', ['$New']);
  expect(lines(await view.drain({ allowExpunge: true, condstore: false }))).toEqual([
    '* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $New $Old)',
    '* OK [PERMANENTFLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $New $Old \\*)] Flags permitted',
    '* 1 FETCH (FLAGS ($Old $New \\Recent))',
  ]);
  // Told once: the next change with the same keyword needs no new FLAGS.
  await store.setFlags(inbox.id, [1], 'remove', ['$Old']);
  expect(lines(await view.drain({ allowExpunge: true, condstore: false }))).toEqual([
    '* 1 FETCH (FLAGS ($New \\Recent))',
  ]);
});

it('keeps \\Recent as runs: counts follow expunges, and new mail claimed by another session is not recent here', async () => {
  await deliver(5);
  const tracker = new RecentTracker(store);
  view = await MailboxView.open(store, inbox, false, tracker, sink, () => undefined);
  expect(view.recentCount).toBe(5);
  expect([1, 2, 3, 4, 5].map((uid) => view!.isRecent(uid))).toEqual([true, true, true, true, true]);
  view.removeMany([2, 4]);
  expect(view.recentCount).toBe(3);
  // Mail that arrives next: another session claims 6, this one then claims 7 and 8.
  await deliver(1);
  const other = await MailboxView.open(
    store,
    inbox,
    false,
    tracker,
    () => Promise.resolve(),
    () => undefined,
  );
  other.close();
  await deliver(2);
  await view.drain({ allowExpunge: true, condstore: false });
  expect(view.allUids).toEqual([1, 3, 5, 6, 7, 8]);
  expect([1, 3, 5, 6, 7, 8].map((uid) => view!.isRecent(uid))).toEqual([true, true, true, false, true, true]);
  expect(view.recentCount).toBe(5);
  // A second session selecting the mailbox has none (all were claimed).
  const second = await MailboxView.open(
    store,
    inbox,
    false,
    tracker,
    () => Promise.resolve(),
    () => undefined,
  );
  expect(second.recentCount).toBe(0);
  expect(second.isRecent(8)).toBe(false);
  second.close();
});
