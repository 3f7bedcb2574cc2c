/**
 * Message commands: exact FETCH/STORE/COPY/MOVE/EXPUNGE/APPEND syntax on the wire, and the same
 * operations through imapflow, checked against what the store then holds.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RawClient } from '@minimail/protocol/testing';
import { rawLogin, sampleMessage, startHarness, type Harness } from '../test-support/harness.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const MULTIPART = [
  'From: a@example.org',
  'To: alice@example.com',
  'Subject: parts',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="b1"',
  '',
  '--b1',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'first part',
  '--b1',
  'Content-Type: text/html',
  '',
  '<p>second</p>',
  '--b1--',
  '',
].join('\r\n');

async function selected(messages: string[]): Promise<{ c: RawClient; inboxId: number; uidValidity: number }> {
  h = await startHarness();
  for (const message of messages) await h.deliver('alice@example.com', message);
  const c = await h.raw();
  await rawLogin(c);
  c.send('S1 SELECT INBOX');
  await c.readTagged('S1');
  const user = await h.store.getUser('alice@example.com');
  const inbox = await h.store.getMailbox(user!.id, 'INBOX');
  return { c, inboxId: inbox!.id, uidValidity: inbox!.uidValidity };
}

describe('FETCH', () => {
  it('BODY.PEEK[] leaves \\Seen alone; BODY[] sets it and echoes FLAGS', async () => {
    const message = sampleMessage('peek');
    const { c, inboxId } = await selected([message]);
    const size = Buffer.byteLength(message);
    c.send('a FETCH 1 (BODY.PEEK[])');
    await c.expect(`* 1 FETCH (BODY[] {${size}}`);
    const lines = await c.readTagged('a');
    expect(lines.at(-2)).toBe(')');
    expect(lines.at(-1)).toBe('a OK FETCH completed');
    expect((await h!.store.getMessage(inboxId, 1))!.flags).toEqual([]);
    c.send('b FETCH 1 (BODY[]<0.4>)');
    await c.expect('* 1 FETCH (BODY[]<0> {4}');
    await c.expect('From FLAGS (\\Seen \\Recent))');
    await c.expect('b OK FETCH completed');
    expect((await h!.store.getMessage(inboxId, 1))!.flags).toEqual(['\\Seen']);
  });

  it('UID FETCH adds UID; sections, HEADER.FIELDS and MIME parts are byte-exact', async () => {
    const { c } = await selected([MULTIPART]);
    c.send('a UID FETCH 1 (BODY.PEEK[1] BODY.PEEK[2.MIME] BODY.PEEK[HEADER.FIELDS (Subject To)])');
    expect(await c.readTagged('a')).toEqual([
      '* 1 FETCH (UID 1 BODY[1] {10}',
      'first part BODY[2.MIME] {27}',
      'Content-Type: text/html',
      '',
      ' BODY[HEADER.FIELDS (SUBJECT TO)] {41}',
      'To: alice@example.com',
      'Subject: parts',
      '',
      ')',
      'a OK UID FETCH completed',
    ]);
    c.send('b FETCH 1 (BODYSTRUCTURE)');
    expect(await c.readTagged('b')).toEqual([
      '* 1 FETCH (BODYSTRUCTURE (("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 10 0 NIL NIL NIL NIL)("text" "html" ("charset" "us-ascii") NIL NIL "7bit" 13 0 NIL NIL NIL NIL) "mixed" ("boundary" "b1") NIL NIL NIL))',
      'b OK FETCH completed',
    ]);
  });

  it('FAST/ALL macros, RFC822.SIZE, INTERNALDATE and a sequence beyond the mailbox', async () => {
    const message = sampleMessage('macro');
    h = await startHarness();
    await h.deliver('alice@example.com', message, {
      internalDate: new Date(Date.UTC(2024, 0, 5, 10, 20, 30)),
    });
    const c = await h.raw();
    await rawLogin(c);
    c.send('s EXAMINE INBOX');
    expect((await c.readTagged('s')).at(-1)).toBe('s OK [READ-ONLY] EXAMINE completed');
    c.send('a FETCH 1 FAST');
    await c.expect(
      `* 1 FETCH (FLAGS () INTERNALDATE "05-Jan-2024 10:20:30 +0000" RFC822.SIZE ${Buffer.byteLength(message)})`,
    );
    await c.expect('a OK FETCH completed');
    c.send('b FETCH 2 FLAGS');
    await c.expect('b BAD Invalid message sequence number');
    c.send('b2 FETCH 2:* FLAGS');
    await c.expect('* 1 FETCH (FLAGS ())');
    await c.expect('b2 OK FETCH completed');
    c.send('c UID FETCH 5:* FLAGS');
    // RFC 3501 6.4.8: n:* always includes the highest UID.
    await c.expect('* 1 FETCH (UID 1 FLAGS ())');
    await c.expect('c OK UID FETCH completed');
    c.send('d FETCH 1 BODY[]');
    await c.readTagged('d');
    // EXAMINE is read-only: BODY[] does not set \Seen.
    c.send('e FETCH 1 FLAGS');
    await c.expect('* 1 FETCH (FLAGS ())');
  });
});

describe('STORE, EXPUNGE, COPY, MOVE', () => {
  it('STORE +FLAGS/-FLAGS/FLAGS with and without .SILENT', async () => {
    const { c, inboxId } = await selected([sampleMessage('a'), sampleMessage('b')]);
    c.send('a STORE 1:2 +FLAGS (\\Flagged $Work)');
    // RFC 3501 7.2.6: a keyword new to the client is listed by FLAGS and PERMANENTFLAGS first.
    expect(await c.readTagged('a')).toEqual([
      '* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $Work)',
      '* OK [PERMANENTFLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $Work \\*)] Flags permitted',
      '* 1 FETCH (FLAGS (\\Flagged $Work \\Recent))',
      '* 2 FETCH (FLAGS (\\Flagged $Work \\Recent))',
      'a OK STORE completed',
    ]);
    c.send('b UID STORE 2 -FLAGS.SILENT ($Work)');
    await c.expect('b OK UID STORE completed');
    c.send('c UID STORE 1 FLAGS (\\Seen)');
    await c.expect('* 1 FETCH (UID 1 FLAGS (\\Seen \\Recent))');
    await c.expect('c OK UID STORE completed');
    expect((await h!.store.getMessage(inboxId, 2))!.flags).toEqual(['\\Flagged']);
    c.send('d STORE 1 +FLAGS (\\Bogus)');
    await c.expect('d BAD Unknown system flag \\Bogus');
  });

  it('EXPUNGE announces renumbered sequence numbers; UID EXPUNGE only the named UIDs', async () => {
    const { c, inboxId } = await selected([
      sampleMessage('1'),
      sampleMessage('2'),
      sampleMessage('3'),
      sampleMessage('4'),
    ]);
    c.send('a STORE 1:4 +FLAGS.SILENT (\\Deleted)');
    await c.expect('a OK STORE completed');
    c.send('b UID EXPUNGE 4');
    expect(await c.readTagged('b')).toEqual(['* 4 EXPUNGE', 'b OK UID EXPUNGE completed']);
    c.send('c STORE 3 -FLAGS.SILENT (\\Deleted)');
    await c.expect('c OK STORE completed');
    c.send('d EXPUNGE');
    expect(await c.readTagged('d')).toEqual(['* 1 EXPUNGE', '* 1 EXPUNGE', 'd OK EXPUNGE completed']);
    expect((await h!.store.listMessages(inboxId)).map((m) => m.uid)).toEqual([3]);
  });

  it('COPY answers COPYUID; MOVE sends COPYUID then EXPUNGE; a missing target is TRYCREATE', async () => {
    const { c, uidValidity, inboxId } = await selected([
      sampleMessage('1'),
      sampleMessage('2'),
      sampleMessage('3'),
    ]);
    const user = await h!.store.getUser('alice@example.com');
    const archive = (await h!.store.getMailbox(user!.id, 'Archive'))!;
    c.send('a COPY 1:2 Archive');
    await c.expect(`a OK [COPYUID ${archive.uidValidity} 1:2 1:2] COPY completed`);
    c.send('b UID MOVE 2:3 Archive');
    expect(await c.readTagged('b')).toEqual([
      `* OK [COPYUID ${archive.uidValidity} 2:3 3:4] Moved`,
      '* 2 EXPUNGE',
      '* 2 EXPUNGE',
      'b OK UID MOVE completed',
    ]);
    c.send('c COPY 1 Nowhere');
    await c.expect('c NO [TRYCREATE] Mailbox does not exist');
    expect((await h!.store.listMessages(inboxId)).map((m) => m.uid)).toEqual([1]);
    expect((await h!.store.listMessages(archive.id)).map((m) => m.uid)).toEqual([1, 2, 3, 4]);
    expect(uidValidity).toBeGreaterThan(0);
  });

  it('CLOSE expunges silently; UNSELECT does not', async () => {
    const { c, inboxId } = await selected([sampleMessage('1'), sampleMessage('2')]);
    c.send('a STORE 1 +FLAGS.SILENT (\\Deleted)');
    await c.expect('a OK STORE completed');
    c.send('b UNSELECT');
    await c.expect('b OK UNSELECT completed');
    expect(await h!.store.listMessages(inboxId)).toHaveLength(2);
    c.send('c SELECT INBOX');
    await c.readTagged('c');
    c.send('d CLOSE');
    await c.expect('d OK CLOSE completed');
    expect((await h!.store.listMessages(inboxId)).map((m) => m.uid)).toEqual([2]);
    c.send('e FETCH 1 FLAGS');
    await c.expect('e BAD FETCH is not allowed without a selected mailbox');
  });
});

describe('APPEND', () => {
  it('waits for the synchronizing literal with +, stores flags and date, answers APPENDUID', async () => {
    h = await startHarness();
    const c = await h.raw();
    await rawLogin(c);
    const message = sampleMessage('appended');
    c.send(`a APPEND Drafts (\\Draft \\Seen) "05-Jan-2024 10:20:30 +0200" {${Buffer.byteLength(message)}}`);
    await c.expect('+ Ready for literal data');
    c.sendRaw(`${message}\r\n`);
    const user = await h.store.getUser('alice@example.com');
    const drafts = (await h.store.getMailbox(user!.id, 'Drafts'))!;
    await c.expect(`a OK [APPENDUID ${drafts.uidValidity} 1] APPEND completed`);
    const stored = (await h.store.getMessage(drafts.id, 1))!;
    expect(stored.flags.sort()).toEqual(['\\Draft', '\\Seen']);
    expect(stored.internalDate.toISOString()).toBe('2024-01-05T08:20:30.000Z');
    expect((await h.store.readBody(stored.bodyHash)).toString()).toBe(message);
    c.send(`b APPEND Nowhere {3+}`);
    c.sendRaw('abc\r\n');
    await c.expect('b NO [TRYCREATE] Mailbox does not exist');
  });
});

describe('changes to the selected mailbox by the session itself', () => {
  it('APPEND and COPY into the selected mailbox announce EXISTS before the tagged OK (RFC 3501 6.3.11)', async () => {
    const { c, uidValidity } = await selected([sampleMessage('1')]);
    c.send('a APPEND INBOX {5+}');
    c.sendRaw('x\r\ny\r\n');
    expect(await c.readTagged('a')).toEqual([
      '* 2 EXISTS',
      '* 2 RECENT',
      `a OK [APPENDUID ${uidValidity} 2] APPEND completed`,
    ]);
    c.send('b COPY 1 INBOX');
    expect(await c.readTagged('b')).toEqual([
      '* 3 EXISTS',
      '* 3 RECENT',
      `b OK [COPYUID ${uidValidity} 1 3] COPY completed`,
    ]);
  });
});

describe('with imapflow', () => {
  it('fetches, flags, copies, moves, appends, searches and expunges', async () => {
    h = await startHarness();
    await h.deliver('alice@example.com', sampleMessage('first', 'apples and pears'));
    await h.deliver('alice@example.com', MULTIPART);
    const client = await h.imapflow();
    const lock = await client.getMailboxLock('INBOX');
    try {
      const fetched = [];
      for await (const message of client.fetch('1:*', {
        uid: true,
        envelope: true,
        flags: true,
        bodyStructure: true,
        source: true,
      })) {
        fetched.push(message);
      }
      expect(fetched.map((m) => m.envelope?.subject)).toEqual(['first', 'parts']);
      expect(fetched[1]?.bodyStructure?.childNodes?.map((n) => n.type)).toEqual(['text/plain', 'text/html']);
      expect(fetched[0]?.source?.toString()).toBe(sampleMessage('first', 'apples and pears'));
      const part = await client.download('2', '1');
      const chunks: Buffer[] = [];
      for await (const chunk of part.content ?? []) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).toString()).toBe('first part');

      await client.messageFlagsAdd('1', ['\\Flagged']);
      expect(await client.search({ flagged: true })).toEqual([1]);
      expect(await client.search({ body: 'pears' })).toEqual([1]);
      expect(await client.search({ subject: 'PARTS' }, { uid: true })).toEqual([2]);
      expect(await client.search({ or: [{ subject: 'first' }, { larger: 100_000 }] })).toEqual([1]);

      const copied = await client.messageCopy('1', 'Archive');
      expect(copied).toMatchObject({ destination: 'Archive', uidMap: new Map([[1, 1]]) });
      const moved = await client.messageMove('2', 'Trash');
      expect(moved).toMatchObject({ destination: 'Trash', uidMap: new Map([[2, 1]]) });
      const appended = await client.append('INBOX', sampleMessage('third'), ['\\Seen']);
      expect(appended).toMatchObject({ destination: 'INBOX', uid: 3 });
      await client.messageDelete('1');
      expect(await client.search({ all: true }, { uid: true })).toEqual([3]);
    } finally {
      lock.release();
    }
  });
});
