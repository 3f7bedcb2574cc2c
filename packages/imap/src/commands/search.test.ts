/** SEARCH and UID SEARCH: every RFC 3501 6.4.4 key, CHARSET, and decoded (RFC 2047, base64) text. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawClient } from '@minimail/protocol/testing';
import type { MailStore } from '@minimail/store';
import { rawLogin, startHarness, type Harness } from '../test-support/harness.js';

function message(headers: string[], body: string): string {
  return [...headers, '', body, ''].join('\r\n');
}

/** Three messages with different headers, dates, sizes, flags and encodings. */
const MESSAGES = [
  {
    raw: message(
      [
        'From: Bob <bob@example.org>',
        'To: alice@example.com',
        'Cc: carol@example.net',
        'Subject: Quarterly report',
        'Date: Mon, 7 Feb 1994 21:52:25 -0800',
        'X-Tag: alpha',
      ],
      'The numbers look good.',
    ),
    flags: ['\\Seen', '\\Answered'],
    internalDate: new Date(Date.UTC(2024, 0, 10, 12)),
  },
  {
    raw: message(
      [
        'From: =?UTF-8?B?SsO8cmdlbg==?= <juergen@example.de>',
        'To: alice@example.com',
        'Bcc: hidden@example.com',
        'Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=',
        'Date: 15 Mar 2024 08:00:00 +0000',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: base64',
      ],
      Buffer.from('Schöne Grüße aus München').toString('base64'),
    ),
    flags: ['\\Flagged', '$Important'],
    internalDate: new Date(Date.UTC(2024, 2, 15, 9)),
  },
  {
    raw: message(
      [
        'From: dave@example.com',
        'To: bob@example.org',
        'Subject: draft',
        'Date: Wed, 20 Mar 2024 10:00:00 +0000',
      ],
      'x'.repeat(2000),
    ),
    flags: ['\\Draft', '\\Deleted'],
    internalDate: new Date(Date.UTC(2024, 2, 20, 23, 30)),
  },
];

let h: Harness;
let c: RawClient;
let tag = 0;

beforeAll(async () => {
  h = await startHarness();
  for (const m of MESSAGES)
    await h.deliver('alice@example.com', m.raw, { flags: m.flags, internalDate: m.internalDate });
  c = await h.raw();
  await rawLogin(c);
  c.send('s SELECT INBOX');
  await c.readTagged('s');
});
afterAll(async () => {
  await h.close();
});

async function search(criteria: string): Promise<string[]> {
  tag += 1;
  c.send(`t${tag} ${criteria}`);
  return c.readTagged(`t${tag}`);
}

const CASES: ReadonlyArray<readonly [string, string]> = [
  ['SEARCH ALL', '1 2 3'],
  ['SEARCH ANSWERED', '1'],
  ['SEARCH UNANSWERED', '2 3'],
  ['SEARCH DELETED', '3'],
  ['SEARCH UNDELETED', '1 2'],
  ['SEARCH DRAFT', '3'],
  ['SEARCH UNDRAFT', '1 2'],
  ['SEARCH FLAGGED', '2'],
  ['SEARCH UNFLAGGED', '1 3'],
  ['SEARCH SEEN', '1'],
  ['SEARCH UNSEEN', '2 3'],
  ['SEARCH RECENT', '1 2 3'],
  ['SEARCH NEW', '2 3'],
  ['SEARCH OLD', ''],
  ['SEARCH KEYWORD $Important', '2'],
  ['SEARCH UNKEYWORD $important', '1 3'],
  ['SEARCH FROM bob', '1'],
  // Raw UTF-8 in a quoted string is not RFC 3501 syntax, but clients send it; it is read as UTF-8.
  ['SEARCH FROM "Jürgen"', '2'],
  ['SEARCH FROM "Jurgen"', ''],
  ['SEARCH CHARSET UTF-8 FROM {7+}\r\nJürgen', '2'],
  ['SEARCH CHARSET UTF-8 SUBJECT {7+}\r\ngrüße', '2'],
  ['SEARCH TO bob@example.org', '3'],
  ['SEARCH CC carol', '1'],
  ['SEARCH BCC hidden', '2'],
  ['SEARCH SUBJECT REPORT', '1'],
  ['SEARCH CHARSET UTF-8 BODY {8+}\r\nmünchen', '2'],
  ['SEARCH BODY numbers', '1'],
  ['SEARCH TEXT alpha', '1'],
  ['SEARCH TEXT numbers', '1'],
  ['SEARCH HEADER X-Tag alpha', '1'],
  ['SEARCH HEADER X-Tag ""', '1'],
  ['SEARCH BEFORE 15-Mar-2024', '1'],
  ['SEARCH ON 15-Mar-2024', '2'],
  ['SEARCH SINCE 15-Mar-2024', '2 3'],
  ['SEARCH SENTBEFORE 1-Jan-2000', '1'],
  ['SEARCH SENTON 7-Feb-1994', '1'],
  ['SEARCH SENTSINCE 16-Mar-2024', '3'],
  ['SEARCH LARGER 1000', '3'],
  ['SEARCH SMALLER 1000', '1 2'],
  ['SEARCH 2:*', '2 3'],
  ['SEARCH UID 1,3', '1 3'],
  ['SEARCH NOT SEEN', '2 3'],
  ['SEARCH OR SEEN FLAGGED', '1 2'],
  ['SEARCH (OR DRAFT FLAGGED) UNDELETED', '2'],
  ['UID SEARCH FLAGGED', '2'],
];

describe('SEARCH keys (RFC 3501 6.4.4)', () => {
  it.each(CASES)('%s -> %s', async (criteria, expected) => {
    const lines = await search(criteria);
    expect(lines[0]).toBe(expected === '' ? '* SEARCH' : `* SEARCH ${expected}`);
    const command = criteria.startsWith('UID ') ? 'UID SEARCH' : 'SEARCH';
    expect(lines).toEqual([lines[0], `t${tag} OK ${command} completed`]);
  });

  it('refuses an unknown charset with NO [BADCHARSET] and a bad key with BAD', async () => {
    expect(await search('SEARCH CHARSET KOI8-R ALL')).toEqual([
      `t${tag} NO [BADCHARSET (US-ASCII UTF-8)] Unsupported charset`,
    ]);
    expect(await search('SEARCH NOSUCHKEY')).toEqual([`t${tag} BAD Unknown search key NOSUCHKEY`]);
  });
});

describe('SEARCH while another session expunges', () => {
  it('skips a message whose body was removed after the list was read, as if already gone', async () => {
    let inboxId = 0;
    let expunged = false;
    // Before SEARCH reads its first body, another session expunges message 2: the store drops
    // its body at once, and SEARCH must answer from the rest (RFC 3501 7.4.1), not fail.
    const expungingFirst = (store: MailStore): MailStore =>
      new Proxy(store, {
        get(target, property, receiver) {
          const value = Reflect.get(target, property, receiver) as unknown;
          if (property === 'readBody') {
            return async (bodyHash: string) => {
              if (!expunged) {
                expunged = true;
                await target.expunge(inboxId, [2]);
              }
              return target.readBody(bodyHash);
            };
          }
          return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
        },
      });
    const local = await startHarness({ wrapStore: expungingFirst });
    try {
      for (let i = 1; i <= 3; i += 1)
        await local.deliver('alice@example.com', message([`Subject: ${i}`], `needle ${i}`));
      const user = await local.store.getUser('alice@example.com');
      inboxId = (await local.store.getMailbox(user!.id, 'INBOX'))!.id;
      const client = await local.raw();
      await rawLogin(client);
      client.send('s SELECT INBOX');
      await client.readTagged('s');
      client.send('a SEARCH BODY needle');
      expect(await client.readTagged('a')).toEqual(['* SEARCH 1 3', 'a OK SEARCH completed']);
      expect(expunged).toBe(true);
    } finally {
      await local.close();
    }
  });
});
