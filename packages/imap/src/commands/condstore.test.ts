/**
 * RFC 7162 3.1 CONDSTORE on the wire: HIGHESTMODSEQ in SELECT/EXAMINE and STATUS, the MODSEQ
 * fetch item and CHANGEDSINCE, STORE UNCHANGEDSINCE with MODIFIED, SEARCH MODSEQ, the enabling
 * commands, and MODSEQ in unsolicited FETCH once enabled; then the same through imapflow.
 *
 * Mod-sequences in a new mailbox: the counter starts at 1 and every change takes the next value,
 * so three deliveries get 2, 3 and 4.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RawClient } from '@minimail/protocol/testing';
import { rawLogin, sampleMessage, startHarness, type Harness } from '../test-support/harness.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

async function inboxId(harness: Harness): Promise<number> {
  const user = await harness.store.getUser('alice@example.com');
  return (await harness.store.getMailbox(user!.id, 'INBOX'))!.id;
}

/** A harness with `count` messages in alice's INBOX, and a logged-in raw client. */
async function withMessages(count: number): Promise<{ c: RawClient; inbox: number }> {
  h = await startHarness();
  for (let i = 1; i <= count; i += 1) await h.deliver('alice@example.com', sampleMessage(`m${i}`));
  const c = await h.raw();
  await rawLogin(c);
  return { c, inbox: await inboxId(h) };
}

const flagsOf = async (inbox: number, uid: number): Promise<string[]> =>
  (await h!.store.getMessage(inbox, uid))!.flags;

describe('CONDSTORE (RFC 7162 3.1)', () => {
  it('SELECT (CONDSTORE) reports HIGHESTMODSEQ; FETCH MODSEQ and CHANGEDSINCE answer by mod-sequence', async () => {
    const { c, inbox } = await withMessages(3);
    await h!.store.setFlags(inbox, [2], 'add', ['\\Flagged']);
    const { uidValidity } = (await h!.store.getMailboxById(inbox))!;
    c.send('s SELECT INBOX (CONDSTORE)');
    expect(await c.readTagged('s')).toEqual([
      '* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft)',
      '* OK [PERMANENTFLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft \\*)] Flags permitted',
      '* 3 EXISTS',
      '* 3 RECENT',
      '* OK [UNSEEN 1] Message 1 is first unseen',
      `* OK [UIDVALIDITY ${uidValidity}] UIDs valid`,
      '* OK [UIDNEXT 4] Predicted next UID',
      '* OK [HIGHESTMODSEQ 5] Highest',
      expect.stringMatching(/^\* OK \[MAILBOXID \(F[0-9a-f]{24}\)\] Ok$/),
      's OK [READ-WRITE] SELECT completed',
    ]);
    // RFC 7162 3.1.4.1: CHANGEDSINCE names only messages above the value, and implies MODSEQ.
    c.send('a FETCH 1:* (FLAGS) (CHANGEDSINCE 3)');
    expect(await c.readTagged('a')).toEqual([
      '* 2 FETCH (FLAGS (\\Flagged \\Recent) MODSEQ (5))',
      '* 3 FETCH (FLAGS (\\Recent) MODSEQ (4))',
      'a OK FETCH completed',
    ]);
    c.send('b UID FETCH 1:* (MODSEQ)');
    expect(await c.readTagged('b')).toEqual([
      '* 1 FETCH (UID 1 MODSEQ (2))',
      '* 2 FETCH (UID 2 MODSEQ (5))',
      '* 3 FETCH (UID 3 MODSEQ (4))',
      'b OK UID FETCH completed',
    ]);
    c.send('c UID FETCH 1:* (FLAGS) (CHANGEDSINCE 5)');
    expect(await c.readTagged('c')).toEqual(['c OK UID FETCH completed']);
    // CHANGEDSINCE filters before \Seen is set: an unchanged message is neither read nor marked.
    c.send('d FETCH 1 (BODY[]) (CHANGEDSINCE 2)');
    expect(await c.readTagged('d')).toEqual(['d OK FETCH completed']);
    expect(await flagsOf(inbox, 1)).toEqual([]);
  });

  it('EXAMINE and a plain SELECT report HIGHESTMODSEQ too; STATUS (HIGHESTMODSEQ) follows expunges', async () => {
    const { c, inbox } = await withMessages(2);
    c.send('e EXAMINE INBOX');
    const examined = await c.readTagged('e');
    expect(examined.slice(-3)).toEqual([
      '* OK [HIGHESTMODSEQ 3] Highest',
      expect.stringMatching(/^\* OK \[MAILBOXID \(F[0-9a-f]{24}\)\] Ok$/),
      'e OK [READ-ONLY] EXAMINE completed',
    ]);
    c.send('u UNSELECT');
    await c.expect('u OK UNSELECT completed');
    c.send('a STATUS INBOX (MESSAGES HIGHESTMODSEQ)');
    expect(await c.readTagged('a')).toEqual([
      '* STATUS "INBOX" (MESSAGES 2 HIGHESTMODSEQ 3)',
      'a OK STATUS completed',
    ]);
    await h!.store.setFlags(inbox, [1], 'add', ['\\Deleted']);
    await h!.store.expunge(inbox);
    // The flag change took 4, the expunge 5: HIGHESTMODSEQ covers removals as well.
    c.send('b STATUS INBOX (HIGHESTMODSEQ MESSAGES)');
    expect(await c.readTagged('b')).toEqual([
      '* STATUS "INBOX" (HIGHESTMODSEQ 5 MESSAGES 1)',
      'b OK STATUS completed',
    ]);
    c.send('s SELECT INBOX');
    expect((await c.readTagged('s')).slice(-3)).toEqual([
      '* OK [HIGHESTMODSEQ 5] Highest',
      expect.stringMatching(/^\* OK \[MAILBOXID \(F[0-9a-f]{24}\)\] Ok$/),
      's OK [READ-WRITE] SELECT completed',
    ]);
  });

  it('ENABLE CONDSTORE answers ENABLED; unsolicited FETCH then carries UID and MODSEQ', async () => {
    const { c } = await withMessages(0);
    c.send('e ENABLE CONDSTORE UTF8=ACCEPT');
    expect(await c.readTagged('e')).toEqual(['* ENABLED CONDSTORE UTF8=ACCEPT', 'e OK ENABLE completed']);
    await h!.deliver('alice@example.com', sampleMessage('m1'));
    await h!.deliver('alice@example.com', sampleMessage('m2'));
    const inbox = await inboxId(h!);
    c.send('s SELECT INBOX');
    const selected = await c.readTagged('s');
    // Already enabled before SELECT: no extra HIGHESTMODSEQ beyond SELECT's own.
    expect(selected.filter((line) => line.includes('HIGHESTMODSEQ'))).toEqual([
      '* OK [HIGHESTMODSEQ 3] Highest',
    ]);
    await h!.store.setFlags(inbox, [2], 'add', ['\\Answered']);
    c.send('n NOOP');
    expect(await c.readTagged('n')).toEqual([
      '* 2 FETCH (UID 2 FLAGS (\\Answered \\Recent) MODSEQ (4))',
      'n OK NOOP completed',
    ]);
  });

  it('the first enabling command with a mailbox selected sends HIGHESTMODSEQ, once', async () => {
    const { c, inbox } = await withMessages(2);
    c.send('s SELECT INBOX');
    await c.readTagged('s');
    // Not CONDSTORE-aware yet: another session's change is told as plain FLAGS.
    await h!.store.setFlags(inbox, [1], 'add', ['\\Flagged']);
    c.send('n NOOP');
    expect(await c.readTagged('n')).toEqual([
      '* 1 FETCH (FLAGS (\\Flagged \\Recent))',
      'n OK NOOP completed',
    ]);
    // The view has applied that change, so the mailbox's HIGHESTMODSEQ as this session knows it is 4.
    c.send('a FETCH 2 (MODSEQ)');
    expect(await c.readTagged('a')).toEqual([
      '* OK [HIGHESTMODSEQ 4] Highest',
      '* 2 FETCH (MODSEQ (3))',
      'a OK FETCH completed',
    ]);
    c.send('e ENABLE CONDSTORE');
    expect(await c.readTagged('e')).toEqual(['* ENABLED CONDSTORE', 'e OK ENABLE completed']);
    await h!.store.setFlags(inbox, [1], 'remove', ['\\Flagged']);
    c.send('m NOOP');
    expect(await c.readTagged('m')).toEqual([
      '* 1 FETCH (UID 1 FLAGS (\\Recent) MODSEQ (5))',
      'm OK NOOP completed',
    ]);
    // A FETCH that sets \Seen on an enabled session reports the new UID and MODSEQ with FLAGS.
    c.send('b FETCH 2 (BODY[HEADER.FIELDS (SUBJECT)])');
    expect(await c.readTagged('b')).toEqual([
      '* 2 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {15}',
      'Subject: m2',
      '',
      ' UID 2 FLAGS (\\Seen \\Recent) MODSEQ (6))',
      'b OK FETCH completed',
    ]);
  });

  it('STORE (UNCHANGEDSINCE) changes what passes, names the rest in MODIFIED, announces MODSEQ even .SILENT', async () => {
    const { c, inbox } = await withMessages(3);
    // Another client answers message 3 (modseq 5) after ours last looked at modseq 4.
    await h!.store.setFlags(inbox, [3], 'add', ['\\Answered']);
    c.send('s SELECT INBOX');
    await c.readTagged('s');
    c.send('a STORE 1:3 (UNCHANGEDSINCE 4) +FLAGS.SILENT (\\Deleted)');
    expect(await c.readTagged('a')).toEqual([
      // The enabling command of this session, issued with INBOX selected.
      '* OK [HIGHESTMODSEQ 5] Highest',
      // One STORE, one mod-sequence for all it changed (RFC 7162 3.1; issue 20).
      '* 1 FETCH (UID 1 MODSEQ (6))',
      '* 2 FETCH (UID 2 MODSEQ (6))',
      'a OK [MODIFIED 3] Conditional STORE failed',
    ]);
    expect(await flagsOf(inbox, 1)).toEqual(['\\Deleted']);
    expect(await flagsOf(inbox, 3)).toEqual(['\\Answered']);
    // UID 1 (6) changes, UID 3 (5) passes with nothing to change; UID 2 (6) fails against 5.
    c.send('b UID STORE 1,3 (UNCHANGEDSINCE 6) -FLAGS (\\Deleted)');
    expect(await c.readTagged('b')).toEqual([
      '* 1 FETCH (UID 1 FLAGS (\\Recent) MODSEQ (7))',
      '* 3 FETCH (UID 3 FLAGS (\\Answered \\Recent) MODSEQ (5))',
      'b OK UID STORE completed',
    ]);
    c.send('b2 UID STORE 2 (UNCHANGEDSINCE 5) -FLAGS (\\Deleted)');
    expect(await c.readTagged('b2')).toEqual(['b2 OK [MODIFIED 2] Conditional UID STORE failed']);
    expect(await flagsOf(inbox, 2)).toEqual(['\\Deleted']);
    // RFC 7162 3.1.3: UNCHANGEDSINCE 0 fails for every message.
    c.send('c STORE 1:3 (UNCHANGEDSINCE 0) +FLAGS (\\Flagged)');
    expect(await c.readTagged('c')).toEqual(['c OK [MODIFIED 1:3] Conditional STORE failed']);
    // A plain STORE on the now CONDSTORE-aware session: .SILENT still reports the new MODSEQ.
    c.send('d STORE 2 +FLAGS.SILENT (\\Flagged)');
    expect(await c.readTagged('d')).toEqual(['* 2 FETCH (UID 2 MODSEQ (8))', 'd OK STORE completed']);
    c.send('e STORE 2 +FLAGS.SILENT (\\Flagged)');
    expect(await c.readTagged('e')).toEqual(['e OK STORE completed']);
    expect((await h!.store.mailboxStatus(inbox)).highestModseq).toBe(8);
  });

  it('a session that never enabled CONDSTORE sees STORE answered as before', async () => {
    const { c } = await withMessages(1);
    c.send('s SELECT INBOX');
    await c.readTagged('s');
    c.send('a STORE 1 +FLAGS.SILENT (\\Seen)');
    expect(await c.readTagged('a')).toEqual(['a OK STORE completed']);
    c.send('b UID STORE 1 +FLAGS (\\Flagged)');
    expect(await c.readTagged('b')).toEqual([
      '* 1 FETCH (UID 1 FLAGS (\\Seen \\Flagged \\Recent))',
      'b OK UID STORE completed',
    ]);
  });

  it('SEARCH MODSEQ ends with the highest mod-sequence found, and has no suffix when nothing matched', async () => {
    const { c, inbox } = await withMessages(3);
    await h!.store.setFlags(inbox, [2], 'add', ['\\Seen']);
    c.send('s SELECT INBOX');
    await c.readTagged('s');
    c.send('a SEARCH MODSEQ 4');
    expect(await c.readTagged('a')).toEqual([
      '* OK [HIGHESTMODSEQ 5] Highest',
      '* SEARCH 2 3 (MODSEQ 5)',
      'a OK SEARCH completed',
    ]);
    // The entry name is ignored: one mod-sequence per message (RFC 7162 3.1.5).
    c.send('b UID SEARCH MODSEQ "/flags/\\\\Seen" all 5 SEEN');
    expect(await c.readTagged('b')).toEqual(['* SEARCH 2 (MODSEQ 5)', 'b OK UID SEARCH completed']);
    c.send('c SEARCH NOT MODSEQ 3');
    expect(await c.readTagged('c')).toEqual(['* SEARCH 1 (MODSEQ 2)', 'c OK SEARCH completed']);
    c.send('d SEARCH MODSEQ 6');
    expect(await c.readTagged('d')).toEqual(['* SEARCH', 'd OK SEARCH completed']);
    c.send('e SEARCH SEEN');
    expect(await c.readTagged('e')).toEqual(['* SEARCH 2', 'e OK SEARCH completed']);
  });

  it('refuses a conditional STORE in a read-only mailbox and unknown SELECT parameters', async () => {
    const { c } = await withMessages(1);
    c.send('s SELECT INBOX (FOO)');
    await c.expect('s BAD Unknown SELECT parameter FOO');
    c.send('e EXAMINE INBOX (CONDSTORE)');
    await c.readTagged('e');
    c.send('a STORE 1 (UNCHANGEDSINCE 9) +FLAGS (\\Seen)');
    expect(await c.readTagged('a')).toEqual(['a NO [READ-ONLY] Mailbox is read-only']);
  });
});

describe('CONDSTORE through imapflow', () => {
  it('enables CONDSTORE, reads HIGHESTMODSEQ, fetches changes since, stores conditionally and searches by MODSEQ', async () => {
    h = await startHarness();
    for (const subject of ['one', 'two', 'three'])
      await h.deliver('alice@example.com', sampleMessage(subject));
    const inbox = await inboxId(h);
    const client = await h.imapflow();
    expect(client.enabled.has('CONDSTORE')).toBe(true);
    const mailbox = await client.mailboxOpen('INBOX');
    expect(mailbox.highestModseq).toBe(4n);

    // Another client flags message 2 (modseq 5); ours learns of it by CHANGEDSINCE 4.
    await h.store.setFlags(inbox, [2], 'add', ['\\Flagged']);
    const changed = await client.fetchAll('1:*', { uid: true, flags: true }, { uid: true, changedSince: 4n });
    // imapflow enables IMAP4rev2 (advertised since issue 15): RFC 9051 has no \Recent.
    expect(client.enabled.has('IMAP4REV2')).toBe(true);
    expect(changed.map((m) => [m.uid, [...(m.flags ?? [])], m.modseq])).toEqual([[2, ['\\Flagged'], 5n]]);

    // imapflow always asks for MODSEQ once CONDSTORE is enabled.
    const all = await client.fetchAll('1:*', { uid: true });
    expect(all.map((m) => [m.uid, m.modseq])).toEqual([
      [1, 2n],
      [2, 5n],
      [3, 4n],
    ]);

    // Message 2 changed after 4: only 1 and 3 are marked \Seen.
    expect(await client.messageFlagsAdd('1:3', ['\\Seen'], { uid: true, unchangedSince: 4n })).toBe(true);
    expect(await flagsOf(inbox, 1)).toEqual(['\\Seen']);
    expect(await flagsOf(inbox, 2)).toEqual(['\\Flagged']);
    expect(await flagsOf(inbox, 3)).toEqual(['\\Seen']);

    expect(await client.search({ modseq: 6n }, { uid: true })).toEqual([1, 3]);
    const status = await client.status('INBOX', { highestModseq: true, messages: true });
    // 1 and 3 changed by one STORE: one new mod-sequence.
    expect(status).toMatchObject({ highestModseq: 6n, messages: 3 });
  });

  it('hears of a flag change made elsewhere, with its MODSEQ', async () => {
    h = await startHarness();
    await h.deliver('alice@example.com', sampleMessage('one'));
    const client = await h.imapflow();
    await client.mailboxOpen('INBOX');
    const flags = new Promise<{ uid?: number; modseq?: bigint; flags: Set<string> }>((resolve) =>
      client.on('flags', resolve),
    );
    await h.store.setFlags(await inboxId(h), [1], 'add', ['\\Answered']);
    await client.noop();
    const event = await flags;
    // An IMAP4rev2 session (imapflow enables it) sees no \Recent (RFC 9051).
    expect([...event.flags]).toEqual(['\\Answered']);
    expect(event.uid).toBe(1);
    expect(event.modseq).toBe(3n);
  });
});
