/**
 * SORT (RFC 5256 3), SORT=DISPLAY (RFC 5957) and I18NLEVEL=1 collation (RFC 5051): raw
 * transcripts with RFC 5256's own example shapes, every sort key and error, and Python's imaplib.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawClient } from '@minimail/protocol/testing';
import { rawLogin, startHarness, type Harness } from '../test-support/harness.js';

const run = promisify(execFile);

interface Seed {
  subject: string;
  date: string;
  from: string;
  to: string;
  cc?: string;
  body: string;
  arrival: Date;
}

/**
 * Five messages whose base subjects fall in two groups (alpha: 3, 4, 5; beta: 1, 2), so that
 * RFC 5256's example `SORT (SUBJECT REVERSE DATE) UTF-8 ALL` answers its `5 3 4 1 2`.
 */
const SEEDS: Seed[] = [
  {
    subject: 'beta',
    date: 'Thu, 4 Jan 2024 10:00:00 +0000',
    from: '"Zoe" <zed@example.org>',
    to: 'carol@example.com',
    cc: 'bob@example.net',
    body: 'x'.repeat(300),
    arrival: new Date(Date.UTC(2024, 0, 10)),
  },
  {
    subject: 'Fwd: Beta',
    date: 'Tue, 2 Jan 2024 10:00:00 +0000',
    from: 'adam@example.org',
    to: '=?UTF-8?Q?=C3=89lise?= <elise@example.com>',
    body: 'x'.repeat(100),
    arrival: new Date(Date.UTC(2024, 0, 9)),
  },
  {
    subject: 'Re: alpha',
    // Another zone: 3 Jan 23:30 -0200 is 4 Jan 01:30 UTC, still before message 5.
    date: 'Wed, 3 Jan 2024 23:30:00 -0200',
    from: '=?UTF-8?B?w4ltaWxl?= <emile@example.org>',
    to: 'alice@example.com',
    cc: 'Anna <anna@example.net>',
    body: 'x'.repeat(500),
    arrival: new Date(Date.UTC(2024, 0, 8)),
  },
  {
    subject: 'ALPHA (fwd)',
    date: 'Mon, 1 Jan 2024 10:00:00 +0000',
    from: 'Bert <bert@example.org>',
    to: 'dave@example.com',
    body: 'x'.repeat(200),
    arrival: new Date(Date.UTC(2024, 0, 11)),
  },
  {
    subject: '[list] Alpha',
    date: 'not a date',
    from: 'Carl <carl@example.org>',
    to: 'bob@example.com',
    body: 'x'.repeat(400),
    // An unreadable Date: header sorts by the internal date (RFC 5256 3): after message 3.
    arrival: new Date(Date.UTC(2024, 0, 5)),
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
  for (const seed of SEEDS) {
    const headers = [
      `From: ${seed.from}`,
      `To: ${seed.to}`,
      ...(seed.cc ? [`Cc: ${seed.cc}`] : []),
      `Subject: ${seed.subject}`,
      `Date: ${seed.date}`,
    ];
    await h.deliver('alice@example.com', [...headers, '', seed.body, ''].join('\r\n'), {
      internalDate: seed.arrival,
    });
  }
  c = await h.raw();
  await rawLogin(c);
  await send('s', 'SELECT INBOX');
});
afterAll(async () => {
  await h.close();
});

describe('SORT (RFC 5256)', () => {
  it('is advertised with SORT=DISPLAY and I18NLEVEL=1', async () => {
    expect((await send('cap', 'CAPABILITY'))[0]).toMatch(/ SORT SORT=DISPLAY .*I18NLEVEL=1 /);
  });

  it('answers RFC 5256 3 example shapes', async () => {
    expect(await send('A282', 'SORT (SUBJECT) UTF-8 SINCE 1-Feb-1994')).toEqual([
      '* SORT 3 4 5 1 2',
      'A282 OK SORT completed',
    ]);
    expect(await send('A283', 'SORT (SUBJECT REVERSE DATE) UTF-8 ALL')).toEqual([
      '* SORT 5 3 4 1 2',
      'A283 OK SORT completed',
    ]);
    expect(await send('A284', 'SORT (SUBJECT) US-ASCII TEXT "not in mailbox"')).toEqual([
      '* SORT',
      'A284 OK SORT completed',
    ]);
  });

  it.each([
    ['SORT (ARRIVAL) UTF-8 ALL', '5 3 2 1 4'],
    ['SORT (REVERSE ARRIVAL) UTF-8 ALL', '4 1 2 3 5'],
    ['SORT (DATE) UTF-8 ALL', '4 2 3 1 5'],
    ['SORT (SIZE) UTF-8 ALL', '2 4 1 5 3'],
    ['SORT (REVERSE SIZE) UTF-8 ALL', '3 5 1 4 2'],
    // Local parts: adam, bert, carl, emile, zed.
    ['SORT (FROM) UTF-8 ALL', '2 4 5 3 1'],
    // Local parts: alice, bob, carol, dave, elise.
    ['SORT (TO) UTF-8 ALL', '3 5 1 4 2'],
    // No Cc sorts as the empty string, first; then anna, bob.
    ['SORT (CC) UTF-8 ALL', '2 4 5 3 1'],
    // Display names (decoded, casemapped): adam@example.org (none), Bert, Carl, Émile, Zoe; É
    // decomposes to E + U+0301 (RFC 5051), so Émile sorts among the Es.
    ['SORT (DISPLAYFROM) UTF-8 ALL', '2 4 5 3 1'],
    // alice@example.com, bob@example.com, carol@example.com, dave@example.com, Élise.
    ['SORT (DISPLAYTO) UTF-8 ALL', '3 5 1 4 2'],
    ['SORT (SUBJECT ARRIVAL) UTF-8 ALL', '5 3 4 2 1'],
    ['SORT (REVERSE SUBJECT REVERSE SIZE) UTF-8 ALL', '1 2 3 5 4'],
    ['SORT (SIZE) UTF-8 LARGER 250', '4 1 5 3'],
    ['UID SORT (SIZE) UTF-8 ALL', '2 4 1 5 3'],
    ['SORT (subject) utf-8 OR FROM zed FROM bert', '4 1'],
  ])('%s -> %s', async (command, expected) => {
    const tag = 'k';
    const keyword = command.startsWith('UID ') ? 'UID SORT' : 'SORT';
    expect(await send(tag, command)).toEqual([`* SORT ${expected}`, `${tag} OK ${keyword} completed`]);
  });

  it('equal messages stay in mailbox order', async () => {
    expect(await send('e1', 'SORT (CC) UTF-8 NOT CC anna NOT CC bob')).toEqual([
      '* SORT 2 4 5',
      'e1 OK SORT completed',
    ]);
  });

  it('refuses malformed commands with BAD and unknown charsets with NO [BADCHARSET]', async () => {
    // The charset is required (RFC 5256 3): ALL is read as one, and is not one we know.
    expect(await send('b1', 'SORT (SUBJECT) ALL')).toEqual([
      'b1 NO [BADCHARSET (US-ASCII UTF-8)] Unsupported charset',
    ]);
    expect(await send('b2', 'SORT () UTF-8 ALL')).toEqual(['b2 BAD Empty list']);
    expect(await send('b3', 'SORT (THREAD) UTF-8 ALL')).toEqual(['b3 BAD Unknown sort key THREAD']);
    expect(await send('b4', 'SORT (REVERSE) UTF-8 ALL')).toEqual(['b4 BAD Expected a space']);
    expect(await send('b5', 'SORT (SUBJECT) UTF-8')).toEqual(['b5 BAD Expected a space']);
    expect(await send('b6', 'SORT SUBJECT UTF-8 ALL')).toEqual(['b6 BAD Expected a parenthesized list']);
    expect(await send('b7', 'SORT (SUBJECT) KOI8-R ALL')).toEqual([
      'b7 NO [BADCHARSET (US-ASCII UTF-8)] Unsupported charset',
    ]);
    // RFC 5267 3: RETURN goes before the sort criteria, not after.
    expect(await send('b8', 'SORT (SUBJECT) RETURN (ALL) UTF-8 ALL')).toEqual([
      'b8 NO [BADCHARSET (US-ASCII UTF-8)] Unsupported charset',
    ]);
  });

  it('is refused outside the selected state', async () => {
    const other = await h.raw();
    await rawLogin(other);
    other.send('n1 SORT (SUBJECT) UTF-8 ALL');
    expect(await other.readTagged('n1')).toEqual([expect.stringMatching(/^n1 BAD /)]);
    other.send('n2 LOGOUT');
    await other.readTagged('n2');
  });

  it("answers Python imaplib's sort()", async () => {
    const script = [
      'import imaplib, sys',
      'm = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))',
      'm.login("alice@example.com", "secret")',
      'm.select("INBOX")',
      'print(m.sort("(REVERSE DATE)", "UTF-8", "ALL"))',
      'print(m.uid("SORT", "(SUBJECT)", "UTF-8", "ALL"))',
      'm.logout()',
    ].join('\n');
    const { stdout } = await run('python3', ['-c', script, String(h.port)], { timeout: 20_000 });
    expect(stdout).toBe("('OK', [b'5 1 3 2 4'])\n('OK', [b'3 4 5 1 2'])\n");
  });
});
