/**
 * RFC 3516 BINARY: FETCH BINARY[section]<partial>, BINARY.PEEK, BINARY.SIZE, decoding base64 and
 * quoted-printable, NO [UNKNOWN-CTE], literal8 in responses, and APPEND with a literal8 message.
 * Exact byte transcripts (literals and NUL included) through ByteClient, then imapflow.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { byteLogin } from '../test-support/byte-client.js';
import { startHarness, type Harness } from '../test-support/harness.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

/** Parts: 1 quoted-printable UTF-8 text, 2 base64 bytes holding NUL and CRLF, 3 an unknown CTE. */
const MESSAGE = [
  'From: Bob <bob@example.org>',
  'To: Alice <alice@example.com>',
  'Subject: binary parts',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="b1"',
  '',
  '--b1',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  'Caf=C3=A9 =3D ok=  ',
  ' soft \t ',
  '--b1',
  'Content-Type: application/octet-stream',
  'Content-Transfer-Encoding: BASE64',
  '',
  'AAECAw0KBAU=',
  '--b1',
  'Content-Type: text/plain',
  'Content-Transfer-Encoding: x-uuencode',
  '',
  'begin 644 x',
  '--b1--',
  '',
].join('\r\n');

async function selected() {
  h = await startHarness();
  await h.deliver('alice@example.com', MESSAGE);
  const c = await byteLogin(h.port);
  c.send('s SELECT INBOX\r\n');
  await c.reply('s');
  return c;
}

describe('FETCH BINARY (RFC 3516 4.2)', () => {
  it('decodes quoted-printable and base64 parts; NUL makes a literal8; PEEK leaves \\Seen alone', async () => {
    const c = await selected();
    c.send('a FETCH 1 (BINARY.PEEK[1] BINARY.SIZE[1])\r\n');
    expect(await c.text('a')).toBe(
      '* 1 FETCH (BINARY[1] {15}\r\nCaf\xc3\xa9 = ok soft BINARY.SIZE[1] 15)\r\na OK FETCH completed\r\n',
    );
    c.send('b FETCH 1 (BINARY.PEEK[2] BINARY.SIZE[2])\r\n');
    expect(await c.text('b')).toBe(
      '* 1 FETCH (BINARY[2] ~{8}\r\n\x00\x01\x02\x03\r\n\x04\x05 BINARY.SIZE[2] 8)\r\nb OK FETCH completed\r\n',
    );
    // <partial>: the origin is echoed; a range without NUL is an ordinary literal.
    c.send('c FETCH 1 BINARY.PEEK[2]<2.3>\r\n');
    expect(await c.text('c')).toBe('* 1 FETCH (BINARY[2]<2> {3}\r\n\x02\x03\r)\r\nc OK FETCH completed\r\n');
    c.send('d FETCH 1 BINARY.PEEK[2]<100.3>\r\n');
    expect(await c.text('d')).toBe('* 1 FETCH (BINARY[2]<100> {0}\r\n)\r\nd OK FETCH completed\r\n');
    c.send('e FETCH 1 FLAGS\r\n');
    expect(await c.text('e')).toBe('* 1 FETCH (FLAGS (\\Recent))\r\ne OK FETCH completed\r\n');
  });

  it('BINARY[] is the whole message as stored; a missing part is empty; BINARY sets \\Seen', async () => {
    const c = await selected();
    c.send('a UID FETCH 1 (BINARY.SIZE[] BINARY.PEEK[9])\r\n');
    expect(await c.text('a')).toBe(
      `* 1 FETCH (UID 1 BINARY.SIZE[] ${Buffer.byteLength(MESSAGE)} BINARY[9] {0}\r\n)\r\na OK UID FETCH completed\r\n`,
    );
    c.send('b FETCH 1 BINARY[]\r\n');
    expect(await c.text('b')).toBe(
      `* 1 FETCH (BINARY[] {${Buffer.byteLength(MESSAGE)}}\r\n${MESSAGE} FLAGS (\\Seen \\Recent))\r\nb OK FETCH completed\r\n`,
    );
  });

  it('NO [UNKNOWN-CTE] for an encoding it cannot decode (RFC 3516 4.3), for BINARY and BINARY.SIZE', async () => {
    const c = await selected();
    c.send('a FETCH 1 BINARY.PEEK[3]\r\n');
    expect(await c.text('a')).toBe('a NO [UNKNOWN-CTE] Unknown Content-Transfer-Encoding in part 3\r\n');
    c.send('b FETCH 1 BINARY.SIZE[3]\r\n');
    expect(await c.text('b')).toBe('b NO [UNKNOWN-CTE] Unknown Content-Transfer-Encoding in part 3\r\n');
    // The failed FETCH did not set \Seen.
    c.send('c FETCH 1 BINARY[3]\r\n');
    await c.reply('c');
    c.send('d FETCH 1 FLAGS\r\n');
    expect(await c.text('d')).toBe('* 1 FETCH (FLAGS (\\Recent))\r\nd OK FETCH completed\r\n');
  });

  it('section-binary is part numbers only: HEADER, TEXT and MIME are BAD', async () => {
    const c = await selected();
    for (const [tag, item] of [
      ['a', 'BINARY[1.MIME]'],
      ['b', 'BINARY[HEADER]'],
      ['c', 'BINARY.PEEK[TEXT]'],
      ['d', 'BINARY.SIZE[1]<0.1>'],
      ['e', 'BINARY.SIZE'],
    ] as const) {
      c.send(`${tag} FETCH 1 ${item}\r\n`);
      expect(await c.text(tag)).toMatch(new RegExp(`^${tag} BAD `));
    }
  });
});

describe('APPEND with literal8 (RFC 3516 4.4)', () => {
  it('stores the octets exactly, NUL included, and serves them back with BINARY', async () => {
    h = await startHarness();
    const c = await byteLogin(h.port);
    const body = Buffer.concat([
      Buffer.from(
        'Subject: raw\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n',
      ),
      Buffer.from([0, 1, 2, 0xff, 0x0d, 0x0a, 0]),
    ]);
    // Synchronizing literal8: the server invites it with "+".
    c.send(`a APPEND INBOX (\\Seen) ~{${body.length}}\r\n`);
    expect((await c.greeting()).startsWith('+ ')).toBe(true);
    c.send(Buffer.concat([body, Buffer.from('\r\n')]));
    expect(await c.text('a')).toMatch(/^a OK \[APPENDUID \d+ 1\] APPEND completed\r\n$/);
    // Non-synchronizing literal8 (LITERAL+).
    c.send(Buffer.concat([Buffer.from(`b APPEND INBOX ~{${body.length}+}\r\n`), body, Buffer.from('\r\n')]));
    expect(await c.text('b')).toMatch(/^b OK \[APPENDUID \d+ 2\] APPEND completed\r\n$/);
    c.send('s SELECT INBOX\r\n');
    await c.reply('s');
    c.send('f FETCH 1:2 (BINARY.PEEK[1] BINARY.SIZE[1])\r\n');
    const tail = Buffer.from([0, 1, 2, 0xff, 0x0d, 0x0a, 0]).toString('latin1');
    expect(await c.text('f')).toBe(
      `* 1 FETCH (BINARY[1] ~{7}\r\n${tail} BINARY.SIZE[1] 7)\r\n` +
        `* 2 FETCH (BINARY[1] ~{7}\r\n${tail} BINARY.SIZE[1] 7)\r\nf OK FETCH completed\r\n`,
    );
    const user = await h.store.getUser('alice@example.com');
    const inbox = await h.store.getMailbox(user!.id, 'INBOX');
    const [stored] = await h.store.listMessages(inbox!.id);
    expect(stored?.flags).toEqual(['\\Seen']);
    expect(await h.store.readBody(stored!.bodyHash)).toEqual(body);
  });
});

describe('imapflow and BINARY', () => {
  it('downloads decoded parts with BINARY.PEEK and appends NUL content as literal8', async () => {
    h = await startHarness();
    await h.deliver('alice@example.com', MESSAGE);
    const client = await h.imapflow();
    expect(client.capabilities.has('BINARY')).toBe(true);
    await client.mailboxOpen('INBOX');
    const message = await client.fetchOne('1', { bodyParts: ['2'] }, { uid: true, binary: true } as never);
    const part = (message as unknown as { bodyParts: Map<string, Buffer> }).bodyParts.get('2');
    expect(part).toEqual(Buffer.from([0, 1, 2, 3, 0x0d, 0x0a, 4, 5]));
    const withNul = Buffer.from('Subject: nul\r\n\r\nA\0B\r\n');
    const appended = await client.append('INBOX', withNul);
    expect(appended).toMatchObject({ uid: 2 });
    const user = await h.store.getUser('alice@example.com');
    const inbox = await h.store.getMailbox(user!.id, 'INBOX');
    const stored = await h.store.getMessage(inbox!.id, 2);
    expect(await h.store.readBody(stored!.bodyHash)).toEqual(withNul);
  });
});
