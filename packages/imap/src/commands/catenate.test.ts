/**
 * RFC 4469 CATENATE with RFC 5550 URL-PARTIAL, over raw sockets: the RFC's Appendix A example
 * (a draft forwarded by reference), every URL form the server resolves, MULTIAPPEND mixing
 * literal and CATENATE messages, and the BADURL / TOOBIG / syntax failures, each leaving the
 * mailbox untouched.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { byteLogin, type ByteClient } from '../test-support/byte-client.js';
import { startHarness, type Harness } from '../test-support/harness.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const BOUNDARY = '------------030308070208000400050907';
const DRAFT_HEADER = [
  'From: Alice <alice@example.com>',
  'To: Bob <bob@example.org>',
  'Subject: Fwd: the report',
  'MIME-Version: 1.0',
  `Content-Type: multipart/mixed; boundary="${BOUNDARY}"`,
  '',
  '',
].join('\r\n');
const PART1_MIME = 'Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\n';
const PART1_BODY = 'Here is the report you asked for.\r\n';
const DRAFT = `${DRAFT_HEADER}This is a multi-part message in MIME format.\r\n--${BOUNDARY}\r\n${PART1_MIME}${PART1_BODY}\r\n--${BOUNDARY}--\r\n`;
const REPORT =
  'From: Carol <carol@example.net>\r\nSubject: report\r\nDate: Mon, 1 Dec 2026 10:00:00 +0000\r\n\r\nThe numbers are in.\r\n';
/** RFC 4469 Appendix A's TEXT parts: a boundary between the parts, and the closing one. */
const NEXT = `\r\n--${BOUNDARY}\r\n`;
const END = `\r\n--${BOUNDARY}--\r\n`;

async function mailbox(name: string, user = 'alice@example.com') {
  const owner = await h!.store.getUser(user);
  return (await h!.store.getMailbox(owner!.id, name))!;
}

async function bodies(name: string): Promise<string[]> {
  const box = await mailbox(name);
  const messages = await h!.store.listMessages(box.id);
  return Promise.all(messages.map(async (m) => (await h!.store.readBody(m.bodyHash)).toString('utf8')));
}

/** Drafts holds the draft (UID 1) and the report (UID 2); returns Drafts' UIDVALIDITY. */
async function seedDrafts(c: ByteClient): Promise<number> {
  c.send('s CREATE Drafts\r\n');
  await c.reply('s');
  await h!.deliver('alice@example.com', DRAFT, { mailbox: 'Drafts' });
  await h!.deliver('alice@example.com', REPORT, { mailbox: 'Drafts', flags: ['\\Draft'] });
  return (await mailbox('Drafts')).uidValidity;
}

describe('CATENATE (RFC 4469) and URL-PARTIAL (RFC 5550)', () => {
  it('RFC 4469 Appendix A: a forward built from parts of a draft and a whole message', async () => {
    h = await startHarness();
    const c = await byteLogin(h.port);
    const v = await seedDrafts(c);
    const url = (rest: string) => `"/Drafts;UIDVALIDITY=${v}/;UID=${rest}"`;
    c.send(
      `A003 APPEND Drafts (\\Seen \\Draft $MDNSent) CATENATE (URL ${url('1/;section=HEADER')} TEXT {${NEXT.length}}\r\n`,
    );
    expect(await c.greeting()).toBe('+ Ready for literal data');
    c.send(`${NEXT} URL ${url('1/;section=1.MIME')} URL ${url('1/;section=1')} TEXT {${NEXT.length}}\r\n`);
    expect(await c.greeting()).toBe('+ Ready for literal data');
    c.send(`${NEXT} URL ${url('2')} TEXT {${END.length}}\r\n`);
    expect(await c.greeting()).toBe('+ Ready for literal data');
    c.send(`${END})\r\n`);
    expect(await c.text('A003')).toBe(`A003 OK [APPENDUID ${v} 3] APPEND completed\r\n`);
    const stored = await bodies('Drafts');
    expect(stored[2]).toBe(`${DRAFT_HEADER}${NEXT}${PART1_MIME}${PART1_BODY}${NEXT}${REPORT}${END}`);
    const messages = await h.store.listMessages((await mailbox('Drafts')).id);
    expect(messages.map((m) => [m.uid, [...m.flags].sort()])).toEqual([
      [1, []],
      [2, ['\\Draft']],
      [3, ['$MDNSent', '\\Draft', '\\Seen']],
    ]);
  });

  it('RFC 4469 Appendix A: the URL of an expunged message fails the APPEND with BADURL', async () => {
    h = await startHarness();
    for (const n of [1, 2, 3]) await h.deliver('alice@example.com', `Subject: ${n}\r\n\r\n${n}\r\n`);
    const inbox = await mailbox('INBOX');
    await h.store.expunge(inbox.id, [3]);
    const c = await byteLogin(h.port);
    const gone = `/INBOX;UIDVALIDITY=${inbox.uidValidity}/;UID=3;section=1.5.9`;
    const next = `/INBOX;UIDVALIDITY=${inbox.uidValidity}/;UID=2;section=1`;
    c.send(`A003 APPEND Drafts CATENATE (URL "${gone}" URL "${next}" TEXT {${NEXT.length}}\r\n`);
    expect(await c.greeting()).toBe('+ Ready for literal data');
    c.send(`${NEXT})\r\n`);
    expect(await c.text('A003')).toBe(`A003 NO [BADURL ${gone}] No such message\r\n`);
    expect(await bodies('Drafts')).toEqual([]);
  });

  it('imap:// URLs with user and host, PARTIAL, HEADER.FIELDS, relative URLs, in a MULTIAPPEND', async () => {
    h = await startHarness();
    const c = await byteLogin(h.port);
    const v = await seedDrafts(c);
    c.send('sel SELECT Drafts\r\n');
    await c.reply('sel');
    const absolute = `imap://alice%40example.com;AUTH=*@IMAP.test:143/Drafts;UIDVALIDITY=${v}/;UID=2/;SECTION=TEXT/;PARTIAL=4.7`;
    const fields = `/Drafts/;UID=2/;SECTION=HEADER.FIELDS%20(Subject%20FROM)`;
    c.send(
      `a APPEND Forwards CATENATE (URL "${fields}" TEXT {6+}\r\nBody:  URL "${absolute}" TEXT {2+}\r\n\r\n) {5+}\r\nplain CATENATE (URL ";UID=1/;SECTION=1" URL ";UID=2/;PARTIAL=0.4")\r\n`,
    );
    expect(await c.text('a')).toMatch(/^a NO \[TRYCREATE\] Mailbox does not exist\r\n$/);
    c.send('c CREATE Forwards\r\n');
    await c.reply('c');
    c.send(
      `a APPEND Forwards CATENATE (URL "${fields}" TEXT {6+}\r\nBody:  URL "${absolute}" TEXT {2+}\r\n\r\n) {5+}\r\nplain CATENATE (URL ";UID=1/;SECTION=1" URL ";UID=2/;PARTIAL=0.4")\r\n`,
    );
    const sent = await mailbox('Forwards');
    expect(await c.text('a')).toBe(`a OK [APPENDUID ${sent.uidValidity} 1:3] APPEND completed\r\n`);
    expect(await bodies('Forwards')).toEqual([
      'From: Carol <carol@example.net>\r\nSubject: report\r\n\r\nBody: numbers\r\n',
      'plain',
      'Here is the report you asked for.\r\nFrom',
    ]);
    // The URLs read as BODY.PEEK: the sources' flags did not change.
    const drafts = await h.store.listMessages((await mailbox('Drafts')).id);
    expect(drafts.map((m) => m.flags)).toEqual([[], ['\\Draft']]);
  });

  it('NO [BADURL url] for every URL it cannot resolve; nothing is stored', async () => {
    h = await startHarness();
    await h.deliver('bob@example.com', REPORT);
    const c = await byteLogin(h.port);
    const v = await seedDrafts(c);
    const cases: [string, string][] = [
      [`/Drafts;UIDVALIDITY=${v + 1}/;UID=1`, 'UIDVALIDITY has changed'],
      [`/Drafts;UIDVALIDITY=${v}/;UID=9`, 'No such message'],
      ['/Drafts/;UID=1/;SECTION=4', 'No such message part'],
      ['/Drafts/;UID=1/;SECTION=1.FOO', 'Invalid section'],
      ['/Nowhere/;UID=1', 'No such mailbox'],
      ['imap://bob%40example.com@imap.test/INBOX/;UID=1', "The URL names another user's mailbox"],
      ['imap://elsewhere.example/Drafts/;UID=1', 'The URL names another server'],
      [
        '/Drafts/;UID=1;URLAUTH=anonymous:internal:91354a473744909de610943775f92038',
        'Not an IMAP URL of a message on this server',
      ],
      ['/Drafts;UIDVALIDITY=1', 'Not an IMAP URL of a message on this server'],
      [';UID=1', 'A relative URL needs a selected mailbox'],
      ['/a]b', 'Not an IMAP URL of a message on this server'],
    ];
    for (const [url, text] of cases) {
      c.send(`b APPEND INBOX CATENATE (TEXT {4+}\r\nabcd URL "${url}")\r\n`);
      expect(await c.text('b')).toBe(`b NO [BADURL ${url.replace(']', '%5D')}] ${text}\r\n`);
    }
    // MULTIAPPEND (RFC 3502 + RFC 4469 3): one bad URL fails every message of the command.
    c.send(
      `m APPEND INBOX {5+}\r\nfirst CATENATE (URL "/Drafts/;UID=2") CATENATE (URL "/Drafts/;UID=7")\r\n`,
    );
    expect(await c.text('m')).toBe('m NO [BADURL /Drafts/;UID=7] No such message\r\n');
    expect(await bodies('INBOX')).toEqual([]);
    // A PARTIAL past the end names no octets: an APPEND of nothing is refused as empty.
    c.send(`e APPEND INBOX CATENATE (URL "/Drafts/;UID=2/;PARTIAL=5000.10")\r\n`);
    expect(await c.text('e')).toBe('e NO Empty message\r\n');
    expect(await bodies('INBOX')).toEqual([]);
  });

  it('BAD for CATENATE syntax errors', async () => {
    h = await startHarness();
    const c = await byteLogin(h.port);
    for (const line of [
      'x APPEND INBOX CATENATE ()',
      'x APPEND INBOX CATENATE (FOO "x")',
      'x APPEND INBOX CATENATE (URL)',
      'x APPEND INBOX CATENATE (TEXT "quoted")',
      'x APPEND INBOX CATENATE URL "/INBOX/;UID=1"',
    ]) {
      c.send(`${line}\r\n`);
      expect(await c.text('x')).toMatch(/^x BAD /);
    }
    expect(await bodies('INBOX')).toEqual([]);
  });

  it('NO [TOOBIG] when the catenated message exceeds APPENDLIMIT', async () => {
    h = await startHarness();
    const c = await byteLogin(h.port);
    const big = `Subject: big\r\n\r\n${'x'.repeat(23 * 1024 * 1024)}\r\n`;
    await h.deliver('alice@example.com', big);
    const url = '"/INBOX/;UID=1"';
    c.send(`t APPEND INBOX CATENATE (URL ${url} URL ${url} URL ${url})\r\n`);
    expect(await c.text('t', 60_000)).toBe('t NO [TOOBIG] The catenated message is too big\r\n');
    expect((await h.store.listMessages((await mailbox('INBOX')).id)).map((m) => m.uid)).toEqual([1]);
  }, 120_000);
});
