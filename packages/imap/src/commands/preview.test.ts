/**
 * RFC 8970 PREVIEW: FETCH PREVIEW and PREVIEW (LAZY): at most 256 characters of the text a reader
 * would see first (text/plain preferred, else text/html without markup), decoded from its
 * transfer encoding and charset, whitespace folded; empty (not NIL) when there is no text.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { byteLogin } from '../test-support/byte-client.js';
import { sampleMessage, startHarness, type Harness } from '../test-support/harness.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const ALTERNATIVE = [
  'Subject: alternative',
  'MIME-Version: 1.0',
  'Content-Type: multipart/alternative; boundary="alt"',
  '',
  '--alt',
  'Content-Type: text/html; charset=utf-8',
  '',
  '<html><head><style>p {}</style></head><body><p>HTML  only &amp; late</p></body></html>',
  '--alt',
  'Content-Type: text/plain; charset=iso-8859-1',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  'Gr=FC=DFe aus   K=F6ln,',
  '',
  'bis bald.',
  '--alt--',
  '',
].join('\r\n');

const HTML_ONLY = [
  'Subject: html',
  'MIME-Version: 1.0',
  'Content-Type: text/html; charset=utf-8',
  'Content-Transfer-Encoding: base64',
  '',
  Buffer.from('<p>Hello <b>there</b>,</p>\n<p>caf\u00e9 &lt;3</p>').toString('base64'),
  '',
].join('\r\n');

const ATTACHMENT_ONLY = [
  'Subject: file',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="m"',
  '',
  '--m',
  'Content-Type: text/plain; name="notes.txt"',
  'Content-Disposition: attachment; filename="notes.txt"',
  '',
  'not a preview',
  '--m',
  'Content-Type: image/png',
  'Content-Transfer-Encoding: base64',
  '',
  'iVBORw0KGgo=',
  '--m--',
  '',
].join('\r\n');

describe('PREVIEW (RFC 8970)', () => {
  it('the RFC 8970 3.2 example forms: PREVIEW and PREVIEW (LAZY), plain text preferred', async () => {
    h = await startHarness();
    await h.deliver('alice@example.com', sampleMessage('plain', 'Hello\r\n  there,\r\n\r\nsee you.'));
    await h.deliver('alice@example.com', ALTERNATIVE);
    await h.deliver('alice@example.com', HTML_ONLY);
    await h.deliver('alice@example.com', ATTACHMENT_ONLY);
    const c = await byteLogin(h.port);
    c.send('s SELECT INBOX\r\n');
    await c.reply('s');
    c.send('1 FETCH 1 (PREVIEW)\r\n');
    expect(await c.text('1')).toBe('* 1 FETCH (PREVIEW "Hello there, see you.")\r\n1 OK FETCH completed\r\n');
    c.send('2 FETCH 2:4 (PREVIEW (LAZY))\r\n');
    const umlauts = Buffer.from('Grüße aus Köln, bis bald.', 'utf8');
    const cafe = Buffer.from('Hello there , café <3', 'utf8');
    expect(await c.reply('2')).toEqual(
      Buffer.concat([
        Buffer.from(`* 2 FETCH (PREVIEW {${umlauts.length}}\r\n`),
        umlauts,
        Buffer.from(`)\r\n* 3 FETCH (PREVIEW {${cafe.length}}\r\n`),
        cafe,
        Buffer.from(')\r\n* 4 FETCH (PREVIEW "")\r\n2 OK FETCH completed\r\n'),
      ]),
    );
    // PREVIEW does not set \Seen.
    c.send('3 FETCH 1:4 FLAGS\r\n');
    expect((await c.text('3')).match(/\\Seen/g)).toBeNull();
  });

  it('at most 256 characters, never half a character', async () => {
    h = await startHarness();
    const long = `${'\u{1F600}'.repeat(200)} ${'x'.repeat(300)}`;
    await h.deliver(
      'alice@example.com',
      `Subject: long\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${long}\r\n`,
    );
    const c = await byteLogin(h.port);
    c.send('s EXAMINE INBOX\r\n');
    await c.reply('s');
    c.send('a FETCH 1 PREVIEW\r\n');
    const reply = (await c.reply('a')).toString('utf8');
    const text = /\{\d+\}\r\n([\s\S]*)\)\r\na OK/.exec(reply)?.[1] ?? '';
    expect(Array.from(text)).toHaveLength(256);
    expect(text).toBe(`${'\u{1F600}'.repeat(200)} ${'x'.repeat(55)}`);
  });

  it('FETCH PREVIEW with fetch modifiers and errors', async () => {
    h = await startHarness();
    await h.deliver('alice@example.com', sampleMessage('one', 'first words'));
    const c = await byteLogin(h.port);
    c.send('s SELECT INBOX\r\n');
    await c.reply('s');
    c.send('a FETCH 1 PREVIEW (CHANGEDSINCE 0)\r\n');
    expect(await c.text('a')).toMatch(
      /^\* OK \[HIGHESTMODSEQ \d+\] Highest\r\n\* 1 FETCH \(PREVIEW "first words" MODSEQ \(\d+\)\)\r\na OK FETCH completed\r\n$/,
    );
    c.send('b FETCH 1 (PREVIEW (LAZY LAZY))\r\n');
    expect(await c.text('b')).toBe('* 1 FETCH (PREVIEW "first words")\r\nb OK FETCH completed\r\n');
    // PREVIEW=FUZZY and SNIPPET=FUZZY: the drafts' forms (commands/dovecot-extras.test.ts).
    c.send('c FETCH 1 (PREVIEW (FUZZY))\r\n');
    expect(await c.text('c')).toBe('* 1 FETCH (PREVIEW (FUZZY "first words"))\r\nc OK FETCH completed\r\n');
    c.send('d FETCH 1 (SNIPPET (FUZZY))\r\n');
    expect(await c.text('d')).toBe('* 1 FETCH (SNIPPET (FUZZY "first words"))\r\nd OK FETCH completed\r\n');
    c.send('e FETCH 1 (PREVIEW (LAZY SHORT))\r\n');
    expect(await c.text('e')).toBe('e BAD Unknown PREVIEW modifier\r\n');
  });

  it('imapflow is told PREVIEW is there', async () => {
    h = await startHarness();
    const client = await h.imapflow();
    expect(client.capabilities.has('PREVIEW')).toBe(true);
    expect(client.capabilities.has('SNIPPET=FUZZY')).toBe(true);
    expect(client.capabilities.has('PREVIEW=FUZZY')).toBe(true);
  });
});
