/**
 * THREAD and UID THREAD (RFC 5256 4): ORDEREDSUBJECT, REFERENCES and Dovecot's REFS, as raw
 * transcripts over real deliveries (RFC 5256's own command examples, every error) and through
 * Python's imaplib. The algorithms' corner cases are in sort/thread.test.ts.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawClient } from '@minimail/protocol/testing';
import { rawLogin, startHarness, type Harness } from '../test-support/harness.js';

const run = promisify(execFile);

interface Seed {
  subject: string;
  /** Day of March 2000: the Date: header and the internal date. */
  day: number;
  headers?: string[];
}

/**
 * After the first (expunged) message, sequence n is UID n + 1:
 * 1 Meeting; 2 replies to it by In-Reply-To only; 4 by References (through 2); 8 by References
 * to 1; 3 "Café" (RFC 2047) and 5 "RE: café" (no Message-ID, gathered by subject); 6 reuses 1's
 * Message-ID (a duplicate: it is not what 8 refers to); 7 is older than 5-Mar-2000.
 */
const SEEDS: Seed[] = [
  { subject: 'Meeting', day: 6, headers: ['Message-ID: <m1@example.org>'] },
  {
    subject: 'Re: Meeting',
    day: 7,
    headers: ['Message-ID: <m2@example.org>', 'In-Reply-To: <m1@example.org>'],
  },
  { subject: '=?UTF-8?Q?Caf=C3=A9?=', day: 8, headers: ['Message-ID: <m3@example.org>'] },
  {
    subject: 'Re: Meeting',
    day: 9,
    headers: [
      'Message-ID: <m4@example.org>',
      'In-Reply-To: <m2@example.org>',
      'References: <m1@example.org>\r\n <m2@example.org>',
    ],
  },
  { subject: 'RE: caf\u00e9', day: 10 },
  { subject: 'Lunch', day: 11, headers: ['Message-ID: <m1@example.org>'] },
  { subject: 'Old', day: 1, headers: ['Message-ID: <m7@example.org>'] },
  {
    subject: 'Re: Meeting again',
    day: 12,
    headers: ['Message-ID: <m8@example.org>', 'References: <m1@example.org>'],
  },
];

let h: Harness;
let c: RawClient;

async function send(tag: string, command: string): Promise<string[]> {
  c.send(`${tag} ${command}`);
  return c.readTagged(tag);
}

beforeAll(async () => {
  h = await startHarness();
  await h.deliver('alice@example.com', 'Subject: gone\r\n\r\nx\r\n');
  for (const seed of SEEDS) {
    const date = new Date(Date.UTC(2000, 2, seed.day, 10));
    const headers = [
      'From: bob@example.org',
      'To: alice@example.com',
      `Subject: ${seed.subject}`,
      `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
      ...(seed.headers ?? []),
    ];
    await h.deliver('alice@example.com', [...headers, '', 'body text', ''].join('\r\n'), {
      internalDate: date,
    });
  }
  c = await h.raw();
  await rawLogin(c);
  await send('s', 'SELECT INBOX');
  await send('d', 'STORE 1 +FLAGS.SILENT (\\Deleted)');
  await send('x', 'EXPUNGE');
});
afterAll(async () => {
  await h.close();
});

describe('THREAD (RFC 5256 4)', () => {
  it('is advertised with each algorithm', async () => {
    expect((await send('cap', 'CAPABILITY'))[0]).toMatch(
      / SORT SORT=DISPLAY THREAD=ORDEREDSUBJECT THREAD=REFERENCES THREAD=REFS I18NLEVEL=1 /,
    );
  });

  it("answers RFC 5256 4's example commands", async () => {
    expect(await send('A283', 'THREAD ORDEREDSUBJECT UTF-8 SINCE 5-MAR-2000')).toEqual([
      '* THREAD (1 (2)(4))(3 5)(6)(8)',
      'A283 OK THREAD completed',
    ]);
    expect(await send('A284', 'THREAD ORDEREDSUBJECT US-ASCII TEXT "gewp"')).toEqual([
      '* THREAD',
      'A284 OK THREAD completed',
    ]);
    expect(await send('A285', 'UID THREAD REFERENCES US-ASCII ALL')).toEqual([
      '* THREAD (8)(2 (3 5)(9))(4 6)(7)',
      'A285 OK UID THREAD completed',
    ]);
  });

  it.each([
    ['THREAD REFERENCES UTF-8 ALL', '(7)(1 (2 4)(8))(3 5)(6)'],
    ['THREAD ORDEREDSUBJECT UTF-8 ALL', '(7)(1 (2)(4))(3 5)(6)(8)'],
    // Threads by their newest message, no gathering by subject: 5 stays apart from 3.
    ['THREAD REFS UTF-8 ALL', '(7)(3)(5)(6)(1 (2 4)(8))'],
    ['UID THREAD REFS UTF-8 ALL', '(8)(4)(6)(7)(2 (3 5)(9))'],
    ['UID THREAD ORDEREDSUBJECT UTF-8 ALL', '(8)(2 (3)(5))(4 6)(7)(9)'],
    // Only matching messages are threaded (and 6's Message-ID is no duplicate without 1).
    // A dummy (1's Message-ID) holds 2 and 8 together.
    ['THREAD REFERENCES UTF-8 NOT SUBJECT Lunch 2:8', '(7)((2 4)(8))(3 5)'],
    ['thread references utf-8 since 5-mar-2000 not subject meeting', '(3 5)(6)'],
    ['THREAD REFERENCES UTF-8 SUBJECT "caf\u00e9"', '(3 5)'],
  ])('%s -> %s', async (command, expected) => {
    const keyword = command.toUpperCase().startsWith('UID ') ? 'UID THREAD' : 'THREAD';
    expect(await send('t', command)).toEqual([`* THREAD ${expected}`, `t OK ${keyword} completed`]);
  });

  it('threads a saved search result ($, RFC 5182)', async () => {
    expect(await send('r1', 'SEARCH RETURN (SAVE) SUBJECT meeting')).toEqual([
      'r1 OK SEARCH completed, result saved',
    ]);
    expect(await send('r2', 'THREAD REFERENCES UTF-8 $')).toEqual([
      '* THREAD (1 (2 4)(8))',
      'r2 OK THREAD completed',
    ]);
  });

  it('refuses malformed commands with BAD and unknown charsets with NO [BADCHARSET]', async () => {
    expect(await send('b1', 'THREAD SUBJECT UTF-8 ALL')).toEqual([
      'b1 BAD Unknown threading algorithm SUBJECT',
    ]);
    expect(await send('b2', 'THREAD REFERENCES UTF-8')).toEqual(['b2 BAD Expected a space']);
    expect(await send('b3', 'THREAD')).toEqual(['b3 BAD Expected a space']);
    expect(await send('b4', 'THREAD (REFERENCES) UTF-8 ALL')).toEqual([expect.stringMatching(/^b4 BAD /)]);
    // The charset is required (RFC 5256 4): ALL is read as one, and is not one we know.
    expect(await send('b5', 'THREAD REFERENCES ALL')).toEqual([
      'b5 NO [BADCHARSET (US-ASCII UTF-8)] Unsupported charset',
    ]);
    expect(await send('b6', 'THREAD REFERENCES ISO-2022-JP ALL')).toEqual([
      'b6 NO [BADCHARSET (US-ASCII UTF-8)] Unsupported charset',
    ]);
    expect(await send('b7', 'THREAD REFERENCES UTF-8 NOSUCHKEY')).toEqual([
      'b7 BAD Unknown search key NOSUCHKEY',
    ]);
  });

  it('is refused outside the selected state', async () => {
    const other = await h.raw();
    await rawLogin(other);
    other.send('n1 THREAD REFERENCES UTF-8 ALL');
    expect(await other.readTagged('n1')).toEqual([expect.stringMatching(/^n1 BAD /)]);
    other.send('n2 LOGOUT');
    await other.readTagged('n2');
  });

  it("answers Python imaplib's thread()", async () => {
    const script = [
      'import imaplib, sys',
      'm = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))',
      'm.login("alice@example.com", "secret")',
      'm.select("INBOX")',
      'print(m.thread("REFERENCES", "UTF-8", "ALL"))',
      'print(m.uid("THREAD", "ORDEREDSUBJECT", "UTF-8", "SINCE", "5-Mar-2000"))',
      'print(m.thread("REFS", "US-ASCII", "ALL"))',
      'm.logout()',
    ].join('\n');
    const { stdout } = await run('python3', ['-c', script, String(h.port)], { timeout: 20_000 });
    expect(stdout).toBe(
      [
        "('OK', [b'(7)(1 (2 4)(8))(3 5)(6)'])",
        "('OK', [b'(2 (3)(5))(4 6)(7)(9)'])",
        "('OK', [b'(7)(3)(5)(6)(1 (2 4)(8))'])",
        '',
      ].join('\n'),
    );
  });
});
