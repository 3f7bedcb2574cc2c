/**
 * RFC 7162 3.2 QRESYNC on the wire: ENABLE QRESYNC, SELECT/EXAMINE (QRESYNC (uidvalidity modseq
 * [known-uids] [seq-match-data])) with VANISHED (EARLIER) and the changed messages' FETCH, UID
 * FETCH (CHANGEDSINCE n VANISHED), VANISHED instead of EXPUNGE, [CLOSED] when SELECT leaves a
 * mailbox, HIGHESTMODSEQ on EXPUNGE's OK; the RFC's examples on our data, and its errors.
 *
 * Mod-sequences in a new mailbox: the counter starts at 1 and every change takes the next value.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SqliteMailStore } from '@minimail/store';
import type { RawClient } from '@minimail/protocol/testing';
import { rawLogin, sampleMessage, startHarness, type Harness } from '../test-support/harness.js';

const DAY_MS = 24 * 60 * 60 * 1000;

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

interface Setup {
  c: RawClient;
  inbox: number;
  uidValidity: number;
}

/** Six messages (UIDs 1-6, modseqs 2-7), a raw client logged in (QRESYNC not yet enabled). */
async function sixMessages(): Promise<Setup> {
  h = await startHarness();
  for (let i = 1; i <= 6; i += 1) await h.deliver('alice@example.com', sampleMessage(`m${i}`));
  const user = await h.store.getUser('alice@example.com');
  const inbox = (await h.store.getMailbox(user!.id, 'INBOX'))!;
  const c = await h.raw();
  await rawLogin(c);
  return { c, inbox: inbox.id, uidValidity: inbox.uidValidity };
}

async function enableQresync(c: RawClient): Promise<void> {
  c.send('q ENABLE QRESYNC');
  expect(await c.readTagged('q')).toEqual(['* ENABLED QRESYNC', 'q OK ENABLE completed']);
}

/**
 * While the client is away (it last saw HIGHESTMODSEQ 8, UIDs 2-6 at 1-5): UID 2 gets \Seen (9),
 * UIDs 3 and 4 go (10, 11), UID 7 arrives (12), UID 5 gets $Label (13).
 */
async function changesWhileAway(inbox: number): Promise<void> {
  const store = h!.store;
  await store.setFlags(inbox, [2], 'add', ['\\Seen']);
  await store.expunge(inbox, [3, 4]);
  await h!.deliver('alice@example.com', sampleMessage('m7'));
  await store.setFlags(inbox, [5], 'add', ['$Label']);
}

const FLAGS_LINES = [
  '* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $Label)',
  '* OK [PERMANENTFLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $Label \\*)] Flags permitted',
];

function selectLines(uidValidity: number): string[] {
  return [
    ...FLAGS_LINES,
    '* 4 EXISTS',
    '* 1 RECENT',
    '* OK [UNSEEN 2] Message 2 is first unseen',
    `* OK [UIDVALIDITY ${uidValidity}] UIDs valid`,
    '* OK [UIDNEXT 8] Predicted next UID',
    '* OK [HIGHESTMODSEQ 13] Highest',
  ];
}

/** UID 1 goes first (modseq 8); a first session sees UIDs 2-6 and HIGHESTMODSEQ 8 and leaves. */
async function afterFirstSession(): Promise<Setup> {
  const setup = await sixMessages();
  await h!.store.expunge(setup.inbox, [1]);
  const first = await h!.raw();
  await rawLogin(first);
  first.send('s SELECT INBOX');
  expect((await first.readTagged('s')).filter((line) => line.includes('HIGHESTMODSEQ'))).toEqual([
    '* OK [HIGHESTMODSEQ 8] Highest',
  ]);
  first.send('z LOGOUT');
  await first.readTagged('z');
  await changesWhileAway(setup.inbox);
  return setup;
}

describe('SELECT/EXAMINE (QRESYNC ...) (RFC 7162 3.2.5)', () => {
  it('tells what vanished and what changed since the client mod-sequence, exactly, from the kept history', async () => {
    const { c, uidValidity } = await afterFirstSession();
    await enableQresync(c);
    c.send(`s SELECT INBOX (QRESYNC (${uidValidity} 8))`);
    const lines = await c.readTagged('s');
    // RFC 8474 MAILBOXID comes with the OK codes; its value is the mailbox's, not this test's.
    expect(lines.filter((line) => line.startsWith('* OK [MAILBOXID ('))).toHaveLength(1);
    expect(lines.filter((line) => !line.startsWith('* OK [MAILBOXID ('))).toEqual([
      ...selectLines(uidValidity),
      // UID 1 went at modseq 8, which the client had seen: only 3 and 4 are news.
      '* VANISHED (EARLIER) 3:4',
      '* 1 FETCH (UID 2 FLAGS (\\Seen) MODSEQ (9))',
      '* 2 FETCH (UID 5 FLAGS ($Label) MODSEQ (13))',
      '* 4 FETCH (UID 7 FLAGS (\\Recent) MODSEQ (12))',
      's OK [READ-WRITE] SELECT completed',
    ]);
  });

  it('limits both to the known UIDs, and EXAMINE answers the same without claiming \\Recent', async () => {
    const { c, uidValidity } = await afterFirstSession();
    await enableQresync(c);
    c.send(`e EXAMINE INBOX (QRESYNC (${uidValidity} 8 2:3,5))`);
    const lines = await c.readTagged('e');
    expect(lines.slice(-4)).toEqual([
      '* VANISHED (EARLIER) 3',
      '* 1 FETCH (UID 2 FLAGS (\\Seen) MODSEQ (9))',
      '* 2 FETCH (UID 5 FLAGS ($Label) MODSEQ (13))',
      'e OK [READ-ONLY] EXAMINE completed',
    ]);
    expect(lines).toContain('* 1 RECENT');
  });

  it('past the kept history: names every UID the client may know that is gone, narrowed by seq-match-data', async () => {
    const { c, inbox, uidValidity } = await afterFirstSession();
    // Some 13 months later the history of that time is pruned (EXPUNGED_HISTORY_RETENTION_MS).
    await (h!.store as SqliteMailStore).pruneHistory(Date.now() + 401 * DAY_MS);
    expect(await h!.store.expungedSince(inbox, 8)).toMatchObject({ complete: false });
    await enableQresync(c);
    c.send(`s SELECT INBOX (QRESYNC (${uidValidity} 8))`);
    expect((await c.readTagged('s')).filter((line) => line.includes('VANISHED'))).toEqual([
      '* VANISHED (EARLIER) 1,3:4',
    ]);
    // RFC 7162 3.2.5.2: message 1 still is UID 2, so nothing below UID 2 can have gone; message 2
    // was UID 3 and no longer is: the answer starts above 2.
    c.send(`t SELECT INBOX (QRESYNC (${uidValidity} 8 2:6 (1:2 2:3)))`);
    const lines = await c.readTagged('t');
    expect(lines[0]).toBe('* OK [CLOSED] Previous mailbox closed');
    expect(lines.filter((line) => line.includes('VANISHED') || line.includes('FETCH'))).toEqual([
      '* VANISHED (EARLIER) 3:4',
      '* 1 FETCH (UID 2 FLAGS (\\Seen) MODSEQ (9))',
      '* 2 FETCH (UID 5 FLAGS ($Label) MODSEQ (13))',
    ]);
  });

  it('says nothing more when UIDVALIDITY differs, or when nothing changed', async () => {
    const { c, uidValidity } = await sixMessages();
    await enableQresync(c);
    c.send(`s SELECT INBOX (QRESYNC (${uidValidity + 1} 2))`);
    const other = await c.readTagged('s');
    expect(other.some((line) => /VANISHED|FETCH/.test(line))).toBe(false);
    expect(other.at(-1)).toBe('s OK [READ-WRITE] SELECT completed');
    c.send(`t SELECT INBOX (QRESYNC (${uidValidity} 7 1:6))`);
    const same = await c.readTagged('t');
    expect(same.some((line) => /VANISHED|FETCH/.test(line))).toBe(false);
    expect(same).toContain('* OK [HIGHESTMODSEQ 7] Highest');
  });

  it('refuses the QRESYNC parameter before ENABLE QRESYNC, and bad parameters, with BAD', async () => {
    const { c, uidValidity } = await sixMessages();
    c.send(`a SELECT INBOX (QRESYNC (${uidValidity} 2))`);
    expect(await c.readTagged('a')).toEqual(['a BAD QRESYNC is not enabled']);
    c.send('b UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)');
    expect(await c.readTagged('b')).toEqual(['b BAD FETCH is not allowed without a selected mailbox']);
    await enableQresync(c);
    c.send('c SELECT INBOX (QRESYNC (1 0))');
    expect(await c.readTagged('c')).toEqual(['c BAD Invalid mod-sequence 0']);
    c.send('d SELECT INBOX (QRESYNC (1 5 1:*))');
    expect(await c.readTagged('d')).toEqual(['d BAD known-uids may not contain *']);
    c.send('e SELECT INBOX (QRESYNC (1 5 1:3 (1:2 4)))');
    expect(await c.readTagged('e')).toEqual(['e BAD known-sequence-set and known-uid-set differ in size']);
  });
});

describe('VANISHED instead of EXPUNGE once QRESYNC is enabled (RFC 7162 3.2.10)', () => {
  it('for other sessions expunges, its own EXPUNGE (with HIGHESTMODSEQ), UID EXPUNGE and MOVE', async () => {
    const { c, inbox } = await sixMessages();
    await enableQresync(c);
    c.send('s SELECT INBOX');
    await c.readTagged('s');
    // Another session removes 3 and 4; a FETCH by number may not tell it (RFC 3501 7.4.1).
    await h!.store.expunge(inbox, [3, 4]);
    // RFC 7162 3.2.4: a FETCH that asks for neither UID nor MODSEQ is answered as asked.
    c.send('a FETCH 2 (FLAGS)');
    expect(await c.readTagged('a')).toEqual(['* 2 FETCH (FLAGS (\\Recent))', 'a OK FETCH completed']);
    c.send('b NOOP');
    expect(await c.readTagged('b')).toEqual(['* VANISHED 3:4', 'b OK NOOP completed']);
    c.send('c STORE 1,3 +FLAGS.SILENT (\\Deleted)');
    await c.readTagged('c');
    c.send('d EXPUNGE');
    expect(await c.readTagged('d')).toEqual(['* VANISHED 1,5', 'd OK [HIGHESTMODSEQ 12] EXPUNGE completed']);
    c.send('e STORE 1 +FLAGS.SILENT (\\Deleted)');
    await c.readTagged('e');
    c.send('f UID EXPUNGE 2:6');
    expect(await c.readTagged('f')).toEqual([
      '* VANISHED 2',
      'f OK [HIGHESTMODSEQ 14] UID EXPUNGE completed',
    ]);
    c.send('g MOVE 1 Archive');
    const moved = await c.readTagged('g');
    expect(moved[0]).toMatch(/^\* OK \[COPYUID \d+ 6 1\] Moved$/);
    expect(moved.slice(1)).toEqual(['* VANISHED 6', 'g OK MOVE completed']);
    // RFC 7162 3.2.8: CLOSE tells where to resync from: the last mod-sequence the client was
    // told (16, the MOVE), not the delivery it has not heard of (17).
    await h!.deliver('alice@example.com', sampleMessage('late'));
    c.send('h CLOSE');
    expect(await c.readTagged('h')).toEqual(['h OK [HIGHESTMODSEQ 15] CLOSE completed']);
  });

  it('a session without QRESYNC still gets EXPUNGE, and no HIGHESTMODSEQ on its OK', async () => {
    const { c, inbox } = await sixMessages();
    c.send('s SELECT INBOX');
    await c.readTagged('s');
    await h!.store.setFlags(inbox, [2], 'add', ['\\Deleted']);
    c.send('a EXPUNGE');
    expect(await c.readTagged('a')).toEqual(['* 2 EXPUNGE', 'a OK EXPUNGE completed']);
  });
});

describe('UID FETCH ... (CHANGEDSINCE n VANISHED) (RFC 7162 3.2.6)', () => {
  it('tells the UIDs of the set expunged since n before the changed messages', async () => {
    const { c, inbox } = await sixMessages();
    await enableQresync(c);
    c.send('s SELECT INBOX');
    await c.readTagged('s');
    await h!.store.setFlags(inbox, [2], 'add', ['\\Seen']);
    await h!.store.expunge(inbox, [3, 4]);
    c.send('n NOOP');
    expect(await c.readTagged('n')).toEqual([
      '* 2 FETCH (UID 2 FLAGS (\\Seen \\Recent) MODSEQ (8))',
      '* VANISHED 3:4',
      'n OK NOOP completed',
    ]);
    c.send('a UID FETCH 1:* (FLAGS) (CHANGEDSINCE 7 VANISHED)');
    expect(await c.readTagged('a')).toEqual([
      '* VANISHED (EARLIER) 3:4',
      '* 2 FETCH (UID 2 FLAGS (\\Seen \\Recent) MODSEQ (8))',
      'a OK UID FETCH completed',
    ]);
    c.send('b UID FETCH 4:6 (FLAGS) (CHANGEDSINCE 9 VANISHED)');
    expect(await c.readTagged('b')).toEqual(['* VANISHED (EARLIER) 4', 'b OK UID FETCH completed']);
    c.send('c UID FETCH 1:2 (FLAGS) (CHANGEDSINCE 10 VANISHED)');
    expect(await c.readTagged('c')).toEqual(['c OK UID FETCH completed']);
    c.send('d FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)');
    expect(await c.readTagged('d')).toEqual(['d BAD VANISHED is only allowed with UID FETCH']);
    c.send('e UID FETCH 1:* (FLAGS) (VANISHED)');
    expect(await c.readTagged('e')).toEqual(['e BAD VANISHED needs CHANGEDSINCE']);
  });

  it('is refused before ENABLE QRESYNC', async () => {
    const { c } = await sixMessages();
    c.send('s SELECT INBOX');
    await c.readTagged('s');
    c.send('a UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)');
    expect(await c.readTagged('a')).toEqual(['a BAD QRESYNC is not enabled']);
  });
});

describe('[CLOSED] (RFC 7162 3.2.11)', () => {
  it('marks where the responses about the previous mailbox end, on SELECT and EXAMINE alike', async () => {
    const { c } = await sixMessages();
    c.send('a SELECT INBOX');
    await c.readTagged('a');
    c.send('b EXAMINE Archive');
    const lines = await c.readTagged('b');
    expect(lines[0]).toBe('* OK [CLOSED] Previous mailbox closed');
    expect(lines.filter((line) => line.includes('CLOSED'))).toHaveLength(1);
    // A SELECT that fails still closed the previous mailbox.
    c.send('c SELECT Nowhere');
    expect(await c.readTagged('c')).toEqual([
      '* OK [CLOSED] Previous mailbox closed',
      'c NO [NONEXISTENT] No such mailbox',
    ]);
    c.send('d SELECT INBOX');
    expect((await c.readTagged('d'))[0]).not.toContain('CLOSED');
  });
});
