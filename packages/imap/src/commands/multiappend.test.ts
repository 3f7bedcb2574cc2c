/**
 * RFC 3502 MULTIAPPEND: several messages in one APPEND, stored all or none in one store
 * transaction, answered with one APPENDUID (RFC 4315) naming every new UID. The RFC's own
 * example (section 6), then the failures.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { byteLogin } from '../test-support/byte-client.js';
import { startHarness, type Harness } from '../test-support/harness.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const MEETING = [
  'Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)',
  'From: Fred Foobar <foobar@Blurdybloop.example.COM>',
  'Subject: afternoon meeting',
  'To: mooch@owatagu.example.net',
  'Message-Id: <B27397-0100000@Blurdybloop.example.COM>',
  'MIME-Version: 1.0',
  'Content-Type: TEXT/PLAIN; CHARSET=US-ASCII',
  '',
  'Hello Joe, do you think we can meet at 3:30 tomorrow?',
  '',
].join('\r\n');
const REPLY = [
  'Date: Mon, 7 Feb 1994 22:43:04 -0800 (PST)',
  'From: Joe Mooch <mooch@OWaTaGu.example.net>',
  'Subject: Re: afternoon meeting',
  'To: foobar@blurdybloop.example.com',
  'Message-Id: <a0434793874930@OWaTaGu.example.net>',
  'MIME-Version: 1.0',
  'Content-Type: TEXT/PLAIN; CHARSET=US-ASCII',
  '',
  '3:30 is fine with me.',
  '',
].join('\r\n');

async function messagesIn(name: string) {
  const user = await h!.store.getUser('alice@example.com');
  const mailbox = await h!.store.getMailbox(user!.id, name);
  return h!.store.listMessages(mailbox!.id);
}

describe('MULTIAPPEND (RFC 3502)', () => {
  it('the RFC 3502 6 example: two messages, each with its flags and date, one APPENDUID', async () => {
    h = await startHarness();
    const c = await byteLogin(h.port);
    c.send('c CREATE saved-messages\r\n');
    await c.reply('c');
    c.send(`A003 APPEND saved-messages (\\Seen) {${MEETING.length}}\r\n`);
    expect(await c.greeting()).toBe('+ Ready for literal data');
    c.send(`${MEETING} (\\Seen) " 7-Feb-1994 22:43:04 -0800" {${REPLY.length}}\r\n`);
    expect(await c.greeting()).toBe('+ Ready for literal data');
    c.send(`${REPLY}\r\n`);
    const ok = await c.text('A003');
    expect(ok).toMatch(/^A003 OK \[APPENDUID \d+ 1:2\] APPEND completed\r\n$/);
    const stored = await messagesIn('saved-messages');
    expect(stored.map((m) => [m.uid, m.flags, m.size])).toEqual([
      [1, ['\\Seen'], MEETING.length],
      [2, ['\\Seen'], REPLY.length],
    ]);
    expect(stored[1]?.internalDate.toISOString()).toBe('1994-02-08T06:43:04.000Z');
    expect((await h.store.readBody(stored[0]!.bodyHash)).toString()).toBe(MEETING);
    // A004: a mailbox that does not exist: NO [TRYCREATE] once the literal is in.
    c.send(`A004 APPEND bogusname (\\Flagged) {5+}\r\nhello\r\n`);
    expect(await c.text('A004')).toBe('A004 NO [TRYCREATE] Mailbox does not exist\r\n');
  });

  it('non-synchronizing literals, a literal8 among them, UIDs in order', async () => {
    h = await startHarness();
    await h.deliver('alice@example.com', 'Subject: first\r\n\r\nx\r\n');
    const c = await byteLogin(h.port);
    const three = ['Subject: a\r\n\r\n1\r\n', 'Subject: b\r\n\r\n2\0\r\n', 'Subject: c\r\n\r\n3\r\n'];
    c.send(
      `a APPEND INBOX {${three[0]!.length}+}\r\n${three[0]} () ~{${three[1]!.length}+}\r\n${three[1]} (\\Draft $Label) {${three[2]!.length}+}\r\n${three[2]}\r\n`,
    );
    expect(await c.text('a')).toMatch(/^a OK \[APPENDUID \d+ 2:4\] APPEND completed\r\n$/);
    const stored = await messagesIn('INBOX');
    expect(stored.map((m) => [m.uid, m.flags])).toEqual([
      [1, []],
      [2, []],
      [3, []],
      [4, ['\\Draft', '$Label']],
    ]);
    expect((await h.store.readBody(stored[2]!.bodyHash)).toString('latin1')).toBe(three[1]);
  });

  it('all or none: a bad flag, an empty message or a missing mailbox stores nothing', async () => {
    h = await startHarness();
    const c = await byteLogin(h.port);
    c.send('a APPEND INBOX {3+}\r\nabc (\\Bogus) {3+}\r\ndef\r\n');
    expect(await c.text('a')).toBe('a BAD Unknown system flag \\Bogus\r\n');
    c.send('b APPEND INBOX {3+}\r\nabc {0+}\r\n\r\n');
    expect(await c.text('b')).toBe('b NO Message 2 is empty\r\n');
    c.send('c APPEND Nowhere {3+}\r\nabc {3+}\r\ndef\r\n');
    expect(await c.text('c')).toBe('c NO [TRYCREATE] Mailbox does not exist\r\n');
    // A syntax error after the first message: nothing is stored either.
    c.send('d APPEND INBOX {3+}\r\nabc (\\Seen)\r\n');
    expect(await c.text('d')).toBe('d BAD Expected a space\r\n');
    expect(await messagesIn('INBOX')).toEqual([]);
    // The same messages, well formed, are stored together.
    c.send('e APPEND INBOX {3+}\r\nabc {3+}\r\ndef\r\n');
    expect(await c.text('e')).toMatch(/^e OK \[APPENDUID \d+ 1:2\] APPEND completed\r\n$/);
  });

  // That a failing write stores none of the messages is deliverAll's promise, tested against
  // every backend in the store's contract suite; here the failure reaches the client as NO.
  it('a MULTIAPPEND whose target vanishes before the write is NO [NONEXISTENT]', async () => {
    h = await startHarness({
      wrapStore: (store) =>
        new Proxy(store, {
          get(target, property, receiver) {
            if (property === 'deliverAll')
              return async (requests: Parameters<typeof store.deliverAll>[0]) => {
                // Another session deletes the mailbox between APPEND's lookup and its write.
                const user = await target.getUser('alice@example.com');
                await target.deleteMailbox(user!.id, 'Doomed');
                return target.deliverAll(requests);
              };
            return Reflect.get(target, property, receiver) as unknown;
          },
        }),
    });
    const c = await byteLogin(h.port);
    c.send('c CREATE Doomed\r\n');
    await c.reply('c');
    c.send('a APPEND Doomed {3+}\r\nabc {3+}\r\ndef\r\n');
    expect(await c.text('a')).toBe('a NO [NONEXISTENT] No such mailbox\r\n');
    const user = await h.store.getUser('alice@example.com');
    expect(await h.store.getMailbox(user!.id, 'Doomed')).toBeNull();
  });
});
