/**
 * imapflow's QRESYNC path (`qresync: true`, RFC 7162 3.2): a client that was away reopens the
 * mailbox with its UIDVALIDITY and HIGHESTMODSEQ and learns exactly what vanished (VANISHED
 * (EARLIER)) and what changed (flags events), then hears of expunges as VANISHED while open,
 * and resyncs with `fetch(..., { uid: true, changedSince })`, which adds the VANISHED modifier.
 */
import type { ExpungeEvent, FlagsEvent, ImapFlow } from 'imapflow';
import { afterEach, expect, it } from 'vitest';
import { sampleMessage, startHarness, type Harness } from './test-support/harness.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

interface Heard {
  expunged: ExpungeEvent[];
  flags: FlagsEvent[];
}

async function qresyncClient(): Promise<{ client: ImapFlow; heard: Heard }> {
  const heard: Heard = { expunged: [], flags: [] };
  const client = await h!.imapflow('alice@example.com', {
    extra: { qresync: true, expungeHandler: (event) => void heard.expunged.push(event) },
  });
  client.on('flags', (event: FlagsEvent) => heard.flags.push(event));
  return { client, heard };
}

it('imapflow resyncs a mailbox after time away with QRESYNC, and hears VANISHED while open', async () => {
  h = await startHarness();
  for (let i = 1; i <= 5; i += 1) await h.deliver('alice@example.com', sampleMessage(`m${i}`));
  const user = await h.store.getUser('alice@example.com');
  const inbox = (await h.store.getMailbox(user!.id, 'INBOX'))!;

  // First visit: the client keeps the UIDVALIDITY and HIGHESTMODSEQ (what a cache would).
  const first = await qresyncClient();
  expect(first.client.enabled.has('QRESYNC')).toBe(true);
  const opened = await first.client.mailboxOpen('INBOX');
  const uidValidity = opened.uidValidity;
  const highestModseq = opened.highestModseq;
  expect(highestModseq).toBe(6n);
  await first.client.logout();

  // Away: two messages go, one gets a flag, one arrives.
  await h.store.expunge(inbox.id, [2, 4]);
  await h.store.setFlags(inbox.id, [3], 'add', ['\\Flagged']);
  await h.deliver('alice@example.com', sampleMessage('m6'));

  const second = await qresyncClient();
  const mailbox = await second.client.mailboxOpen('INBOX', { uidValidity, changedSince: highestModseq! });
  // imapflow sets `qresync` once the server took the parameter (its types leave it out).
  expect((mailbox as { qresync?: boolean }).qresync).toBe(true);
  expect(mailbox.exists).toBe(4);
  expect(second.heard.expunged.map(({ uid, vanished, earlier }) => ({ uid, vanished, earlier }))).toEqual([
    { uid: 2, vanished: true, earlier: true },
    { uid: 4, vanished: true, earlier: true },
  ]);
  // The changed message and the new one, with their UIDs and mod-sequences.
  expect(second.heard.flags.map(({ uid, modseq, flags }) => ({ uid, modseq, flags: [...flags] }))).toEqual([
    { uid: 3, modseq: 9n, flags: ['\\Flagged'] },
    // imapflow runs IMAP4rev2 (RFC 9051: no \Recent).
    { uid: 6, modseq: 10n, flags: [] },
  ]);

  // Open: another session expunges; imapflow hears VANISHED (not EXPUNGE) and counts down.
  second.heard.expunged.length = 0;
  await h.store.expunge(inbox.id, [1]);
  await second.client.noop();
  expect(second.heard.expunged.map(({ uid, vanished, earlier }) => ({ uid, vanished, earlier }))).toEqual([
    { uid: 1, vanished: true, earlier: false },
  ]);
  expect(second.client.mailbox && second.client.mailbox.exists).toBe(3);

  // fetch with changedSince over UIDs adds VANISHED: UID 1 comes back as VANISHED (EARLIER).
  second.heard.expunged.length = 0;
  const changed: number[] = [];
  for await (const message of second.client.fetch('1:*', { flags: true }, { uid: true, changedSince: 9n }))
    changed.push(message.uid);
  expect(changed).toEqual([6]);
  expect(second.heard.expunged.map(({ uid, earlier }) => ({ uid, earlier }))).toEqual([
    { uid: 1, earlier: true },
  ]);
});
