/**
 * IMAP4rev2 (RFC 9051) switched on per connection by ENABLE IMAP4rev2 (docs/adr/0030): raw
 * transcripts of an IMAP4rev1 and an IMAP4rev2 connection side by side on the same mailbox, for
 * every difference RFC 9051 Appendix E makes on the server's side, and Python's imaplib as a
 * rev2 client.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { RawClient } from '@minimail/protocol/testing';
import { byteLogin } from '../test-support/byte-client.js';
import { rawLogin, sampleMessage, startHarness, type Harness } from '../test-support/harness.js';

const run = promisify(execFile);

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const SYSTEM = '\\Seen \\Answered \\Flagged \\Deleted \\Draft';

/** Three messages in INBOX: 1 is \Seen, 2 and 3 are not. */
async function mailbox(): Promise<Harness> {
  h = await startHarness();
  await h.deliver('alice@example.com', sampleMessage('one'), { flags: ['\\Seen'] });
  await h.deliver('alice@example.com', sampleMessage('two'));
  await h.deliver('alice@example.com', sampleMessage('three'));
  return h;
}

async function login(harness: Harness, rev2: boolean): Promise<RawClient> {
  const c = await harness.raw();
  await rawLogin(c);
  if (rev2) {
    c.send('E1 ENABLE IMAP4rev2');
    expect(await c.readTagged('E1')).toEqual(['* ENABLED IMAP4rev2', 'E1 OK ENABLE completed']);
  }
  return c;
}

async function ask(c: RawClient, tag: string, command: string): Promise<string[]> {
  c.send(`${tag} ${command}`);
  return c.readTagged(tag);
}

async function inboxState(harness: Harness): Promise<{ uidValidity: number; modseq: number; id: string }> {
  const user = await harness.store.getUser('alice@example.com');
  const inbox = await harness.store.getMailbox(user!.id, 'INBOX');
  const { mailboxObjectId } = await import('../object-id.js');
  return { uidValidity: inbox!.uidValidity, modseq: inbox!.highestModseq, id: mailboxObjectId(inbox!) };
}

describe('IMAP4rev2 (RFC 9051) beside IMAP4rev1', () => {
  it('is advertised beside IMAP4rev1 and enabled per connection only', async () => {
    const harness = await mailbox();
    const c = await harness.raw();
    await rawLogin(c);
    const caps = await ask(c, 'a', 'CAPABILITY');
    expect(caps[0]).toMatch(/^\* CAPABILITY IMAP4rev1 IMAP4rev2 .* SASL-IR LOGIN-REFERRALS /);
    // RFC 5161 3.1: the answer names what was enabled, in CAPABILITY's spelling, whatever case was sent.
    expect(await ask(c, 'b', 'ENABLE imap4rev2 X-NONE')).toEqual([
      '* ENABLED IMAP4rev2',
      'b OK ENABLE completed',
    ]);
    // Enabling again changes nothing and is still answered.
    expect(await ask(c, 'c', 'ENABLE IMAP4rev2')).toEqual(['* ENABLED IMAP4rev2', 'c OK ENABLE completed']);
    // Another connection is still IMAP4rev1.
    const other = await login(harness, false);
    await ask(other, 's', 'SELECT INBOX');
    expect(await ask(other, 'd', 'SEARCH ALL')).toEqual(['* SEARCH 1 2 3', 'd OK SEARCH completed']);
  });

  it('SELECT and EXAMINE: no RECENT, no [UNSEEN], and a LIST response', async () => {
    const harness = await mailbox();
    const v2 = await login(harness, true);
    const v1 = await login(harness, false);
    const { uidValidity, modseq, id } = await inboxState(harness);
    // The rev2 session selects first and claims no message as \Recent (RFC 9051 has none) ...
    expect(await ask(v2, 's', 'SELECT INBOX')).toEqual([
      `* FLAGS (${SYSTEM})`,
      `* OK [PERMANENTFLAGS (${SYSTEM} \\*)] Flags permitted`,
      '* 3 EXISTS',
      `* OK [UIDVALIDITY ${uidValidity}] UIDs valid`,
      '* OK [UIDNEXT 4] Predicted next UID',
      `* OK [HIGHESTMODSEQ ${modseq}] Highest`,
      `* OK [MAILBOXID (${id})] Ok`,
      // RFC 9051 6.3.2: the mailbox's LIST response.
      '* LIST (\\HasNoChildren) "/" "INBOX"',
      's OK [READ-WRITE] SELECT completed',
    ]);
    // ... so the rev1 session still finds all three \Recent.
    expect(await ask(v1, 's', 'SELECT INBOX')).toEqual([
      `* FLAGS (${SYSTEM})`,
      `* OK [PERMANENTFLAGS (${SYSTEM} \\*)] Flags permitted`,
      '* 3 EXISTS',
      '* 3 RECENT',
      '* OK [UNSEEN 2] Message 2 is first unseen',
      `* OK [UIDVALIDITY ${uidValidity}] UIDs valid`,
      '* OK [UIDNEXT 4] Predicted next UID',
      `* OK [HIGHESTMODSEQ ${modseq}] Highest`,
      `* OK [MAILBOXID (${id})] Ok`,
      's OK [READ-WRITE] SELECT completed',
    ]);
    // EXAMINE from a selected state: [CLOSED] first (RFC 9051 7.1), then the same without RECENT.
    expect(await ask(v2, 'x', 'EXAMINE INBOX')).toEqual([
      '* OK [CLOSED] Previous mailbox closed',
      `* FLAGS (${SYSTEM})`,
      '* OK [PERMANENTFLAGS ()] Flags permitted',
      '* 3 EXISTS',
      `* OK [UIDVALIDITY ${uidValidity}] UIDs valid`,
      '* OK [UIDNEXT 4] Predicted next UID',
      `* OK [HIGHESTMODSEQ ${modseq}] Highest`,
      `* OK [MAILBOXID (${id})] Ok`,
      '* LIST (\\HasNoChildren) "/" "INBOX"',
      'x OK [READ-ONLY] EXAMINE completed',
    ]);
    // The LIST response carries the mailbox's attributes (children, special use) and its name.
    // (Sent is one of the mailboxes every account starts with.)
    await ask(v2, 'c2', 'CREATE Sent/2024');
    const sent = await ask(v2, 'y', 'SELECT Sent');
    expect(sent.filter((line) => line.startsWith('* LIST'))).toEqual([
      '* LIST (\\HasChildren \\Sent) "/" "Sent"',
    ]);
    expect(sent.some((line) => / RECENT$/.test(line))).toBe(false);
  });

  it('FETCH FLAGS never carries \\Recent; unsolicited FETCH carries UID; new mail has no RECENT', async () => {
    const harness = await mailbox();
    const v2 = await login(harness, true);
    const v1 = await login(harness, false);
    await ask(v1, 's', 'SELECT INBOX');
    await ask(v2, 's', 'SELECT INBOX');
    expect(await ask(v1, 'f', 'FETCH 1:3 FLAGS')).toEqual([
      '* 1 FETCH (FLAGS (\\Seen \\Recent))',
      '* 2 FETCH (FLAGS (\\Recent))',
      '* 3 FETCH (FLAGS (\\Recent))',
      'f OK FETCH completed',
    ]);
    expect(await ask(v2, 'f', 'FETCH 1:3 FLAGS')).toEqual([
      '* 1 FETCH (FLAGS (\\Seen))',
      '* 2 FETCH (FLAGS ())',
      '* 3 FETCH (FLAGS ())',
      'f OK FETCH completed',
    ]);
    // A change by the other session: rev1 hears FLAGS alone, rev2 with the UID (RFC 9051 7.5.2).
    await ask(v2, 'g', 'STORE 2 +FLAGS.SILENT (\\Flagged)');
    expect(await ask(v1, 'n', 'NOOP')).toEqual([
      '* 2 FETCH (FLAGS (\\Flagged \\Recent))',
      'n OK NOOP completed',
    ]);
    await ask(v1, 'g', 'STORE 3 +FLAGS.SILENT (\\Answered)');
    expect(await ask(v2, 'n', 'NOOP')).toEqual([
      '* 3 FETCH (UID 3 FLAGS (\\Answered))',
      'n OK NOOP completed',
    ]);
    // New mail: EXISTS and RECENT for rev1, EXISTS alone for rev2.
    await harness.deliver('alice@example.com', sampleMessage('four'));
    await waitForLines(v2, 'n2', ['* 4 EXISTS', 'n2 OK NOOP completed']);
    await waitForLines(v1, 'n2', ['* 4 EXISTS', '* 4 RECENT', 'n2 OK NOOP completed']);
    expect(await ask(v1, 'f2', 'FETCH 4 FLAGS')).toEqual([
      '* 4 FETCH (FLAGS (\\Recent))',
      'f2 OK FETCH completed',
    ]);
    expect(await ask(v2, 'f2', 'FETCH 4 FLAGS')).toEqual(['* 4 FETCH (FLAGS ())', 'f2 OK FETCH completed']);
  });

  it('enabled with a mailbox selected: \\Recent goes from then on, and IDLE hears no RECENT', async () => {
    const harness = await mailbox();
    const c = await login(harness, false);
    await ask(c, 's', 'SELECT INBOX');
    expect(await ask(c, 'a', 'FETCH 2 FLAGS')).toEqual([
      '* 2 FETCH (FLAGS (\\Recent))',
      'a OK FETCH completed',
    ]);
    expect(await ask(c, 'b', 'ENABLE IMAP4rev2')).toEqual(['* ENABLED IMAP4rev2', 'b OK ENABLE completed']);
    expect(await ask(c, 'c', 'FETCH 2 FLAGS')).toEqual(['* 2 FETCH (FLAGS ())', 'c OK FETCH completed']);
    expect(await ask(c, 'd', 'SEARCH NEW')).toEqual(['d BAD SEARCH NEW does not exist in IMAP4rev2']);
    c.send('i IDLE');
    await c.expect(/^\+ /);
    await harness.deliver('alice@example.com', sampleMessage('four'));
    await c.expect('* 4 EXISTS');
    c.send('DONE');
    expect(await c.readTagged('i')).toEqual(['i OK IDLE terminated']);
  });

  it('SEARCH answers ESEARCH always; RECENT, NEW and OLD are BAD', async () => {
    const harness = await mailbox();
    const v2 = await login(harness, true);
    const v1 = await login(harness, false);
    await ask(v1, 's', 'SELECT INBOX');
    await ask(v2, 's', 'SELECT INBOX');
    expect(await ask(v1, 'a', 'SEARCH UNSEEN')).toEqual(['* SEARCH 2 3', 'a OK SEARCH completed']);
    expect(await ask(v2, 'a', 'SEARCH UNSEEN')).toEqual([
      '* ESEARCH (TAG "a") ALL 2:3',
      'a OK SEARCH completed',
    ]);
    expect(await ask(v1, 'b', 'UID SEARCH ALL')).toEqual(['* SEARCH 1 2 3', 'b OK UID SEARCH completed']);
    expect(await ask(v2, 'b', 'UID SEARCH ALL')).toEqual([
      '* ESEARCH (TAG "b") UID ALL 1:3',
      'b OK UID SEARCH completed',
    ]);
    // Nothing found: an ESEARCH with no ALL (RFC 4731 3.1).
    expect(await ask(v1, 'c', 'SEARCH DELETED')).toEqual(['* SEARCH', 'c OK SEARCH completed']);
    expect(await ask(v2, 'c', 'SEARCH DELETED')).toEqual(['* ESEARCH (TAG "c")', 'c OK SEARCH completed']);
    // RETURN options are answered the same way on both.
    for (const c of [v1, v2])
      expect(await ask(c, 'd', 'SEARCH RETURN (MIN COUNT) UNSEEN')).toEqual([
        '* ESEARCH (TAG "d") MIN 2 COUNT 2',
        'd OK SEARCH completed',
      ]);
    // SEARCHRES (folded into rev2): SAVE alone answers nothing, `$` then names the result.
    expect(await ask(v2, 'e', 'SEARCH RETURN (SAVE) SEEN')).toEqual(['e OK SEARCH completed, result saved']);
    expect(await ask(v2, 'e2', 'FETCH $ UID')).toEqual(['* 1 FETCH (UID 1)', 'e2 OK FETCH completed']);
    // \Recent is gone from rev2: its search keys too (RFC 9051 9 search-key), anywhere in the tree.
    expect(await ask(v1, 'f', 'SEARCH RECENT')).toEqual(['* SEARCH 1 2 3', 'f OK SEARCH completed']);
    expect(await ask(v1, 'f2', 'SEARCH NEW')).toEqual(['* SEARCH 2 3', 'f2 OK SEARCH completed']);
    expect(await ask(v1, 'f3', 'SEARCH OLD')).toEqual(['* SEARCH', 'f3 OK SEARCH completed']);
    expect(await ask(v2, 'g1', 'SEARCH RECENT')).toEqual([
      'g1 BAD SEARCH RECENT does not exist in IMAP4rev2',
    ]);
    expect(await ask(v2, 'g2', 'UID SEARCH NEW')).toEqual(['g2 BAD SEARCH NEW does not exist in IMAP4rev2']);
    expect(await ask(v2, 'g3', 'SEARCH OR SEEN (NOT OLD)')).toEqual([
      'g3 BAD SEARCH OLD does not exist in IMAP4rev2',
    ]);
    expect(await ask(v2, 'g4', 'SORT (DATE) UTF-8 RECENT')).toEqual([
      'g4 BAD SEARCH RECENT does not exist in IMAP4rev2',
    ]);
    // SORT and THREAD are extensions with their own responses: unchanged.
    expect(await ask(v2, 'h', 'SORT (ARRIVAL) UTF-8 ALL')).toEqual(['* SORT 1 2 3', 'h OK SORT completed']);
  });

  it('STATUS: DELETED and SIZE on both; RECENT is BAD in rev2 (STATUS and LIST-STATUS)', async () => {
    const harness = await mailbox();
    const v2 = await login(harness, true);
    const v1 = await login(harness, false);
    const user = await harness.store.getUser('alice@example.com');
    const inbox = await harness.store.getMailbox(user!.id, 'INBOX');
    const size = (await harness.store.mailboxStatus(inbox!.id)).size;
    for (const c of [v1, v2])
      expect(await ask(c, 'a', 'STATUS INBOX (MESSAGES UNSEEN DELETED SIZE)')).toEqual([
        `* STATUS "INBOX" (MESSAGES 3 UNSEEN 2 DELETED 0 SIZE ${size})`,
        'a OK STATUS completed',
      ]);
    expect(await ask(v1, 'b', 'STATUS INBOX (RECENT)')).toEqual([
      '* STATUS "INBOX" (RECENT 3)',
      'b OK STATUS completed',
    ]);
    expect(await ask(v2, 'b', 'STATUS INBOX (RECENT)')).toEqual([
      'b BAD STATUS RECENT does not exist in IMAP4rev2',
    ]);
    expect(await ask(v2, 'c', 'LIST "" INBOX RETURN (STATUS (MESSAGES RECENT))')).toEqual([
      'c BAD STATUS RECENT does not exist in IMAP4rev2',
    ]);
    expect(await ask(v2, 'd', 'LIST "" INBOX RETURN (STATUS (MESSAGES DELETED))')).toEqual([
      '* LIST (\\HasNoChildren) "/" "INBOX"',
      '* STATUS "INBOX" (MESSAGES 3 DELETED 0)',
      'd OK LIST completed',
    ]);
  });

  it('LIST: \\NonExistent for subscribed names without a mailbox, as LIST-EXTENDED answers', async () => {
    const harness = await mailbox();
    const v2 = await login(harness, true);
    await ask(v2, 'a', 'CREATE Gone');
    await ask(v2, 'b', 'SUBSCRIBE Gone');
    await ask(v2, 'c', 'DELETE Gone');
    expect(await ask(v2, 'd', 'LIST (SUBSCRIBED) "" "G*"')).toEqual([
      '* LIST (\\NonExistent \\Subscribed) "/" "Gone"',
      'd OK LIST completed',
    ]);
  });

  it('keeps what RFC 9051 deprecates for clients: RFC822.*, CHECK, LSUB', async () => {
    const harness = await mailbox();
    const v2 = await login(harness, true);
    await ask(v2, 's', 'SELECT INBOX');
    const header = await ask(v2, 'a', 'FETCH 2 RFC822.HEADER');
    expect(header[0]).toMatch(/^\* 2 FETCH \(RFC822\.HEADER \{\d+\}$/);
    expect(header.at(-1)).toBe('a OK FETCH completed');
    expect(await ask(v2, 'b', 'FETCH 2 RFC822.SIZE')).toEqual([
      expect.stringMatching(/^\* 2 FETCH \(RFC822\.SIZE \d+\)$/),
      'b OK FETCH completed',
    ]);
    expect(await ask(v2, 'c', 'CHECK')).toEqual(['c OK CHECK completed']);
    expect(await ask(v2, 'd', 'LSUB "" IN*')).toEqual(['* LSUB () "/" "INBOX"', 'd OK LSUB completed']);
  });

  it('mailbox names are UTF-8 both ways after ENABLE IMAP4rev2 (RFC 9051 5.1)', async () => {
    h = await startHarness();
    const v1 = await byteLogin(h.port);
    const v2 = await byteLogin(h.port);
    v2.send('e ENABLE IMAP4rev2\r\n');
    await v2.reply('e');
    const utf8 = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');
    v1.send('a CREATE "Entw&APw-rfe"\r\n');
    await v1.reply('a');
    v2.send(`b CREATE "${utf8('Grüße & Küsse')}"\r\n`);
    expect(await v2.text('b')).toMatch(/^b OK \[MAILBOXID \(F[0-9a-f]{24}\)\] CREATE completed\r\n$/);
    const entwurfe = utf8('Entwürfe');
    const grusse = utf8('Grüße & Küsse');
    v1.send('c LIST "" ("Entw*" "Gr*")\r\n');
    expect(await v1.text('c')).toBe(
      '* LIST (\\HasNoChildren) "/" "Entw&APw-rfe"\r\n' +
        '* LIST (\\HasNoChildren) "/" "Gr&APwA3w-e &- K&APw-sse"\r\nc OK LIST completed\r\n',
    );
    v2.send('c LIST "" ("Entw*" "Gr*")\r\n');
    expect(await v2.text('c')).toBe(
      `* LIST (\\HasNoChildren) "/" {${entwurfe.length}}\r\n${entwurfe}\r\n` +
        `* LIST (\\HasNoChildren) "/" {${grusse.length}}\r\n${grusse}\r\nc OK LIST completed\r\n`,
    );
    // The name a rev2 client sends is UTF-8: "&" is itself, not a modified UTF-7 shift.
    v2.send(`d SELECT "${entwurfe}"\r\n`);
    const selected = await v2.text('d');
    expect(selected).toContain(`* LIST (\\HasNoChildren) "/" {${entwurfe.length}}\r\n${entwurfe}\r\n`);
    expect(selected).toMatch(/d OK \[READ-WRITE\] SELECT completed\r\n$/);
  });

  it('Python imaplib as an IMAP4rev2 client', async () => {
    const harness = await mailbox();
    const script = [
      'import imaplib, sys',
      'm = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))',
      'print("IMAP4REV2" in m.capabilities)',
      'm.login("alice@example.com", "secret")',
      'print(m.enable("IMAP4rev2"))',
      'print(m.response("ENABLED"))',
      'print(m.select("INBOX"))',
      'print(m.response("LIST"))',
      'print(m.response("RECENT"))',
      'print(m.fetch("1:2", "(UID FLAGS)"))',
      'typ, data = m.search(None, "UNSEEN")',
      'print(typ, m.response("ESEARCH"))',
      'print(m.uid("SEARCH", "ALL"), m.response("ESEARCH"))',
      'print(m.status("INBOX", "(MESSAGES SIZE DELETED)")[0])',
      'try:',
      '    m.search(None, "RECENT")',
      'except imaplib.IMAP4.error as e:',
      '    print("error", e)',
      'm.logout()',
    ].join('\n');
    const { stdout } = await run('python3', ['-c', script, String(harness.port)], { timeout: 20_000 });
    expect(stdout.split('\n')).toEqual([
      'True',
      "('OK', [b'ENABLE completed'])",
      "('ENABLED', [b'IMAP4rev2'])",
      "('OK', [b'3'])",
      '(\'LIST\', [b\'(\\\\HasNoChildren) "/" "INBOX"\'])',
      "('RECENT', [None])",
      "('OK', [b'1 (UID 1 FLAGS (\\\\Seen))', b'2 (UID 2 FLAGS ())'])",
      // imaplib's tags have a random prefix.
      expect.stringMatching(/^OK \('ESEARCH', \[b'\(TAG "[A-Z]+\d+"\) ALL 2:3'\]\)$/),
      expect.stringMatching(/^\('OK', \[None\]\) \('ESEARCH', \[b'\(TAG "[A-Z]+\d+"\) UID ALL 1:3'\]\)$/),
      'OK',
      "error SEARCH command error: BAD [b'SEARCH RECENT does not exist in IMAP4rev2']",
      '',
    ]);
  });
});

/** Sends NOOP under `tag` until its answer is `lines` (the store's change feed polls). */
async function waitForLines(c: RawClient, tag: string, lines: string[]): Promise<void> {
  const deadline = Date.now() + 10_000;
  const seen: string[] = [];
  for (;;) {
    c.send(`${tag} NOOP`);
    const answer = await c.readTagged(tag);
    seen.push(...answer.slice(0, -1));
    if (seen.length >= lines.length - 1 || Date.now() > deadline) {
      expect([...seen, answer.at(-1)]).toEqual(lines);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
