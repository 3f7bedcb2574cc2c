/**
 * RFC 6855 UTF8=ACCEPT: ENABLE switches mailbox names to UTF-8 both ways (no modified UTF-7, `&`
 * is itself) and allows APPEND's UTF8 data item; before it, names are modified UTF-7 and UTF8
 * APPEND is BAD. imapflow enables it on its own and works with UTF-8 names.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { byteLogin } from '../test-support/byte-client.js';
import { startHarness, type Harness } from '../test-support/harness.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const utf8 = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');

describe('UTF8=ACCEPT (RFC 6855)', () => {
  it('mailbox names are modified UTF-7 until ENABLE, UTF-8 after it', async () => {
    h = await startHarness();
    const c = await byteLogin(h.port);
    c.send('a CREATE "Entw&APw-rfe"\r\n');
    await c.reply('a');
    c.send(`b CREATE "${utf8('Grüße')}"\r\n`);
    expect(await c.text('b')).toBe(
      'b NO Invalid mailbox name: mailbox name must be 7-bit printable (modified UTF-7)\r\n',
    );
    c.send('c LIST "" "Entw*"\r\n');
    expect(await c.text('c')).toBe('* LIST (\\HasNoChildren) "/" "Entw&APw-rfe"\r\nc OK LIST completed\r\n');
    c.send('d ENABLE UTF8=ACCEPT\r\n');
    expect(await c.text('d')).toBe('* ENABLED UTF8=ACCEPT\r\nd OK ENABLE completed\r\n');
    // RFC 6855 3: now UTF-8, as a quoted string or a literal; "&" is a plain character.
    c.send(`e CREATE "${utf8('Grüße & Küsse')}"\r\n`);
    expect(await c.text('e')).toMatch(/^e OK \[MAILBOXID \(F[0-9a-f]{24}\)\] CREATE completed\r\n$/);
    c.send(`f LIST "" "${utf8('*ü*')}"\r\n`);
    const entwurfe = utf8('Entwürfe');
    const grusse = utf8('Grüße & Küsse');
    expect(await c.text('f')).toBe(
      `* LIST (\\HasNoChildren) "/" {${entwurfe.length}}\r\n${entwurfe}\r\n` +
        `* LIST (\\HasNoChildren) "/" {${grusse.length}}\r\n${grusse}\r\nf OK LIST completed\r\n`,
    );
    c.send(`g STATUS {${grusse.length}+}\r\n${grusse} (MESSAGES)\r\n`);
    expect(await c.text('g')).toBe(
      `* STATUS {${grusse.length}}\r\n${grusse} (MESSAGES 0)\r\ng OK STATUS completed\r\n`,
    );
    c.send(`h SELECT "${entwurfe}"\r\n`);
    expect(await c.text('h')).toMatch(/h OK \[READ-WRITE\] SELECT completed\r\n$/);
    // Octets that are not UTF-8 are no name.
    c.send('i CREATE "Bad\xff\xfe"\r\n');
    expect(await c.text('i')).toBe('i NO Invalid mailbox name: not UTF-8 text\r\n');
    const user = await h.store.getUser('alice@example.com');
    expect((await h.store.listMailboxes(user!.id)).map((m) => m.name)).toContain('Grüße & Küsse');
  });

  it('APPEND UTF8 (~{n}): BAD before ENABLE, stored as sent after it (RFC 6855 4)', async () => {
    h = await startHarness();
    const c = await byteLogin(h.port);
    const message = utf8('Subject: Grüße\r\nFrom: jörg@exämple.com\r\n\r\nHallo\r\n');
    c.send(`a APPEND INBOX UTF8 (~{${message.length}+}\r\n${message})\r\n`);
    expect(await c.text('a')).toBe('a BAD APPEND UTF8 needs ENABLE UTF8=ACCEPT first\r\n');
    c.send('b ENABLE UTF8=ACCEPT\r\n');
    await c.reply('b');
    c.send(`c APPEND INBOX (\\Seen) UTF8 (~{${message.length}}\r\n`);
    expect(await c.greeting()).toBe('+ Ready for literal data');
    c.send(`${message})\r\n`);
    expect(await c.text('c')).toMatch(/^c OK \[APPENDUID \d+ 1\] APPEND completed\r\n$/);
    const user = await h.store.getUser('alice@example.com');
    const inbox = await h.store.getMailbox(user!.id, 'INBOX');
    const [stored] = await h.store.listMessages(inbox!.id);
    expect((await h.store.readBody(stored!.bodyHash)).toString('latin1')).toBe(message);
    expect(stored?.flags).toEqual(['\\Seen']);
  });

  it('imapflow enables it and uses UTF-8 names', async () => {
    h = await startHarness();
    const client = await h.imapflow();
    expect(client.enabled.has('UTF8=ACCEPT')).toBe(true);
    await client.mailboxCreate('Grüße & Küsse');
    const listed = await client.list();
    expect(listed.map((entry) => entry.path)).toContain('Grüße & Küsse');
    const opened = await client.mailboxOpen('Grüße & Küsse');
    expect(opened.path).toBe('Grüße & Küsse');
    await client.append('Grüße & Küsse', 'Subject: hi\r\n\r\nx\r\n');
    expect(await client.status('Grüße & Küsse', { messages: true })).toMatchObject({ messages: 1 });
  });
});
