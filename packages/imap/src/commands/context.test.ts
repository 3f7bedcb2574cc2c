/**
 * RFC 5267: ESORT (SORT RETURN), CONTEXT=SEARCH and CONTEXT=SORT (CONTEXT, PARTIAL, UPDATE with
 * ADDTO/REMOVEFROM, NOUPDATE, CANCELUPDATE), as raw transcripts with the RFC's example commands
 * and two clients on one mailbox: the second client's STORE, APPEND, deliveries and EXPUNGE reach
 * the first client's contexts, in the places RFC 5267 4.3.3/4.3.4 require.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawClient } from '@minimail/protocol/testing';
import { rawLogin, startHarness, type Harness } from '../test-support/harness.js';

let h: Harness;
/** The client whose contexts are updated. */
let c1: RawClient;
/** The other client, changing the mailbox. */
let c2: RawClient;
let counter = 0;

async function send(client: RawClient, command: string): Promise<string[]> {
  counter += 1;
  const tag = `t${counter}`;
  client.send(`${tag} ${command}`);
  const lines = await client.readTagged(tag);
  return lines.map((line) => line.replace(new RegExp(`^${tag} `), 'TAG '));
}

async function tagged(client: RawClient, tag: string, command: string): Promise<string[]> {
  client.send(`${tag} ${command}`);
  return client.readTagged(tag);
}

function message(subject: string, day: number): string {
  const date = new Date(Date.UTC(2024, 0, day, 12));
  return [
    'From: bob@example.org',
    'To: alice@example.com',
    `Subject: ${subject}`,
    `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
    '',
    'body',
    '',
  ].join('\r\n');
}

/** c2 appends a message (LITERAL+) and reads its own completion. */
async function append(subject: string, day: number, flags: string): Promise<void> {
  const raw = message(subject, day);
  counter += 1;
  const tag = `a${counter}`;
  c2.sendRaw(`${tag} APPEND INBOX (${flags}) {${Buffer.byteLength(raw)}+}\r\n${raw}\r\n`);
  const lines = await c2.readTagged(tag);
  expect(lines[lines.length - 1]).toMatch(new RegExp(`^${tag} OK `));
}

/** c2 changes something and reads its completion (and its own notices). */
async function change(command: string): Promise<void> {
  const lines = await send(c2, command);
  expect(lines[lines.length - 1]).toMatch(/^TAG OK /);
}

beforeAll(async () => {
  h = await startHarness();
  // Two messages expunged first, so that UIDs (n + 2) differ from sequence numbers (n).
  await h.deliver('alice@example.com', message('gone', 1));
  await h.deliver('alice@example.com', message('gone', 1));
  const seeds: Array<[string, number, string[]]> = [
    ['m1', 5, []],
    ['m2', 3, []],
    ['m3', 9, []],
    ['m4', 1, ['$Junk']],
    ['m5', 7, []],
    ['m6', 2, ['\\Deleted']],
    ['m7', 8, []],
    ['m8', 4, []],
  ];
  for (const [subject, day, flags] of seeds)
    await h.deliver('alice@example.com', message(subject, day), {
      flags,
      internalDate: new Date(Date.UTC(2024, 0, day, 12)),
    });
  // A first session takes the \Recent flags and expunges the first two messages.
  const setup = await h.raw();
  await rawLogin(setup);
  await tagged(setup, 's', 'SELECT INBOX');
  await tagged(setup, 'd', 'UID STORE 1:2 +FLAGS.SILENT (\\Deleted)');
  await tagged(setup, 'x', 'UID EXPUNGE 1:2');
  await tagged(setup, 'o', 'LOGOUT');
  c1 = await h.raw();
  await rawLogin(c1);
  await tagged(c1, 's', 'SELECT INBOX');
  c2 = await h.raw();
  await rawLogin(c2);
  await tagged(c2, 's', 'SELECT INBOX');
});
afterAll(async () => {
  await h.close();
});

describe('ESORT (RFC 5267 3)', () => {
  it('is advertised with CONTEXT=SEARCH and CONTEXT=SORT', async () => {
    expect((await send(c1, 'CAPABILITY'))[0]).toMatch(/ ESORT CONTEXT=SEARCH CONTEXT=SORT /);
  });

  it("answers RFC 5267 3.3's example: ALL in the requested order, ranges only going up", async () => {
    expect(
      await tagged(c1, 'E01', 'UID SORT RETURN () (REVERSE DATE) UTF-8 UNDELETED UNKEYWORD $Junk'),
    ).toEqual(['* ESEARCH (TAG "E01") UID ALL 5,9,7,3,10,4', 'E01 OK UID SORT completed']);
    expect(
      await tagged(c1, 'E05', 'UID SORT RETURN (ALL) (SUBJECT) UTF-8 UNDELETED UNKEYWORD $Junk'),
    ).toEqual(['* ESEARCH (TAG "E05") UID ALL 3:5,7,9:10', 'E05 OK UID SORT completed']);
  });

  it('answers MIN and MAX as the first and last sorted, and COUNT', async () => {
    expect(
      await tagged(c1, 'E02', 'SORT RETURN (MIN MAX COUNT) (DATE) UTF-8 UNDELETED UNKEYWORD $Junk'),
    ).toEqual(['* ESEARCH (TAG "E02") MIN 2 MAX 3 COUNT 6', 'E02 OK SORT completed']);
    expect(await tagged(c1, 'E03', 'UID SORT RETURN (MIN MAX COUNT) (DATE) UTF-8 KEYWORD nosuch')).toEqual([
      '* ESEARCH (TAG "E03") UID COUNT 0',
      'E03 OK UID SORT completed',
    ]);
    expect(await tagged(c1, 'E04', 'UID SORT RETURN (MIN) (DATE) UTF-8 KEYWORD nosuch')).toEqual([
      '* ESEARCH (TAG "E04") UID',
      'E04 OK UID SORT completed',
    ]);
  });

  it('saves the result for $ (RFC 5182), MIN alone saving only it', async () => {
    expect(
      await tagged(c1, 'V1', 'UID SORT RETURN (SAVE) (REVERSE DATE) UTF-8 UNDELETED UNKEYWORD $Junk'),
    ).toEqual(['V1 OK UID SORT completed, result saved']);
    expect(await tagged(c1, 'V2', 'UID SEARCH UID $')).toEqual([
      '* SEARCH 3 4 5 7 9 10',
      'V2 OK UID SEARCH completed',
    ]);
    expect(
      await tagged(c1, 'V3', 'UID SORT RETURN (SAVE MIN) (DATE) UTF-8 UNDELETED UNKEYWORD $Junk'),
    ).toEqual(['* ESEARCH (TAG "V3") UID MIN 4', 'V3 OK UID SORT completed, result saved']);
    expect(await tagged(c1, 'V4', 'UID SEARCH UID $')).toEqual(['* SEARCH 4', 'V4 OK UID SEARCH completed']);
  });

  it('empties $ when a SORT with SAVE fails (RFC 5182 2.1)', async () => {
    await tagged(c1, 'F1', 'UID SORT RETURN (SAVE) (DATE) UTF-8 UNDELETED');
    expect(await tagged(c1, 'F2', 'UID SORT RETURN (SAVE) (NOSUCH) UTF-8 ALL')).toEqual([
      'F2 BAD Unknown sort key NOSUCH',
    ]);
    expect(await tagged(c1, 'F3', 'UID SEARCH UID $')).toEqual(['* SEARCH', 'F3 OK UID SEARCH completed']);
    await tagged(c1, 'F4', 'UID SORT RETURN (SAVE) (DATE) UTF-8 UNDELETED');
    expect(await tagged(c1, 'F5', 'UID SORT RETURN (SAVE) (DATE) KOI8-R ALL')).toEqual([
      'F5 NO [BADCHARSET (US-ASCII UTF-8)] Unsupported charset',
    ]);
    expect(await tagged(c1, 'F6', 'UID SEARCH UID $')).toEqual(['* SEARCH', 'F6 OK UID SEARCH completed']);
  });

  it('refuses bad return options with BAD', async () => {
    expect(await tagged(c1, 'b1', 'SORT RETURN (FIRST) (DATE) UTF-8 ALL')).toEqual([
      'b1 BAD Unknown search return option FIRST',
    ]);
    expect(await tagged(c1, 'b2', 'SORT RETURN (ALL (DATE) UTF-8 ALL')).toEqual([
      expect.stringMatching(/^b2 BAD /),
    ]);
    expect(await tagged(c1, 'b3', 'SORT RETURN (ALL) UTF-8 ALL')).toEqual([
      'b3 BAD Expected a parenthesized list',
    ]);
  });
});

describe('CONTEXT=SEARCH and CONTEXT=SORT: CONTEXT and PARTIAL (RFC 5267 4.2, 4.4)', () => {
  it("answers RFC 5267 4.2's example (CONTEXT is a hint)", async () => {
    expect(await tagged(c1, 'A01', 'SEARCH RETURN (CONTEXT COUNT) UNDELETED UNKEYWORD $Junk')).toEqual([
      '* ESEARCH (TAG "A01") COUNT 6',
      'A01 OK SEARCH completed',
    ]);
    expect(await tagged(c1, 'A02', 'UID SEARCH RETURN (CONTEXT) KEYWORD $Junk')).toEqual([
      '* ESEARCH (TAG "A02") UID ALL 6',
      'A02 OK UID SEARCH completed',
    ]);
  });

  it('answers PARTIAL windows of a SORT in the requested order, short or NIL past the end', async () => {
    const program = '(REVERSE DATE) UTF-8 UNDELETED UNKEYWORD $Junk';
    expect(await tagged(c1, 'P1', `UID SORT RETURN (PARTIAL 2:4) ${program}`)).toEqual([
      '* ESEARCH (TAG "P1") UID PARTIAL (2:4 9,7,3)',
      'P1 OK UID SORT completed',
    ]);
    // A range 5:1 is the range 1:5.
    expect(await tagged(c1, 'P2', `UID SORT RETURN (PARTIAL 5:1) ${program}`)).toEqual([
      '* ESEARCH (TAG "P2") UID PARTIAL (1:5 5,9,7,3,10)',
      'P2 OK UID SORT completed',
    ]);
    expect(await tagged(c1, 'P3', `UID SORT RETURN (PARTIAL 6:10 COUNT) ${program}`)).toEqual([
      '* ESEARCH (TAG "P3") UID COUNT 6 PARTIAL (6:10 4)',
      'P3 OK UID SORT completed',
    ]);
    expect(await tagged(c1, 'A04', `UID SORT RETURN (PARTIAL 7:9) ${program}`)).toEqual([
      '* ESEARCH (TAG "A04") UID PARTIAL (7:9 NIL)',
      'A04 OK UID SORT completed',
    ]);
    expect(await tagged(c1, 'P5', `SORT RETURN (PARTIAL 1:2) ${program}`)).toEqual([
      '* ESEARCH (TAG "P5") PARTIAL (1:2 3,7)',
      'P5 OK SORT completed',
    ]);
  });

  it('answers PARTIAL windows of a SEARCH in mailbox order', async () => {
    expect(await tagged(c1, 'P6', 'UID SEARCH RETURN (PARTIAL 2:3 COUNT) UNDELETED')).toEqual([
      '* ESEARCH (TAG "P6") UID COUNT 7 PARTIAL (2:3 4:5)',
      'P6 OK UID SEARCH completed',
    ]);
    expect(await tagged(c1, 'P7', 'SEARCH RETURN (PARTIAL 1:100) KEYWORD $Junk')).toEqual([
      '* ESEARCH (TAG "P7") PARTIAL (1:100 4)',
      'P7 OK SEARCH completed',
    ]);
  });

  it('refuses PARTIAL with ALL, twice, or with a bad range (BAD)', async () => {
    expect(await tagged(c1, 'b4', 'SEARCH RETURN (PARTIAL 1:5 ALL) ALL')).toEqual([
      'b4 BAD PARTIAL conflicts with ALL',
    ]);
    expect(await tagged(c1, 'b5', 'SEARCH RETURN (PARTIAL 1:5 PARTIAL 2:3) ALL')).toEqual([
      'b5 BAD PARTIAL can be given only once',
    ]);
    expect(await tagged(c1, 'b6', 'SEARCH RETURN (PARTIAL 0:5) ALL')).toEqual([
      'b6 BAD Invalid partial range',
    ]);
    expect(await tagged(c1, 'b7', 'UID SORT RETURN (PARTIAL 1:*) (DATE) UTF-8 ALL')).toEqual([
      'b7 BAD Invalid partial range',
    ]);
  });
});

describe('UPDATE with two clients on one mailbox (RFC 5267 4.3)', () => {
  it('tells a UID SEARCH context of flag changes, appends and expunges (position 0)', async () => {
    expect(await tagged(c1, 'B01', 'UID SEARCH RETURN (UPDATE COUNT) KEYWORD $Junk')).toEqual([
      '* ESEARCH (TAG "B01") UID COUNT 1',
      'B01 OK UID SEARCH completed',
    ]);
    await change('UID STORE 3 +FLAGS.SILENT ($Junk)');
    expect(await send(c1, 'NOOP')).toEqual([
      '* 1 FETCH (FLAGS ($Junk))',
      '* ESEARCH (TAG "B01") UID ADDTO (0 3)',
      'TAG OK NOOP completed',
    ]);
    await append('m9', 6, '$Junk');
    // RFC 5267 4.3.3: after the EXISTS that counts the new message.
    expect(await send(c1, 'NOOP')).toEqual([
      '* 9 EXISTS',
      '* 0 RECENT',
      '* ESEARCH (TAG "B01") UID ADDTO (0 11)',
      'TAG OK NOOP completed',
    ]);
    await change('UID STORE 11 -FLAGS.SILENT ($Junk)');
    expect(await send(c1, 'NOOP')).toEqual([
      '* 9 FETCH (FLAGS ())',
      '* ESEARCH (TAG "B01") UID REMOVEFROM (0 11)',
      'TAG OK NOOP completed',
    ]);
    await change('UID STORE 3 +FLAGS.SILENT (\\Deleted)');
    await change('UID EXPUNGE 3');
    // RFC 5267 4.3.4: before the EXPUNGE.
    expect(await send(c1, 'NOOP')).toEqual([
      '* ESEARCH (TAG "B01") UID REMOVEFROM (0 3)',
      '* 1 EXPUNGE',
      'TAG OK NOOP completed',
    ]);
  });

  it('refuses a reused tag with BAD, and CANCELUPDATE stops the updates (4.3.5)', async () => {
    expect(await tagged(c1, 'B01', 'UID SEARCH RETURN (UPDATE) ALL')).toEqual(['B01 BAD Tag reuse']);
    expect(await tagged(c1, 'B04', 'CANCELUPDATE "B01"')).toEqual(['B04 OK CANCELUPDATE completed']);
    expect(await tagged(c1, 'B05', 'CANCELUPDATE "B01"')).toEqual(['B05 NO Unknown tag']);
    expect(await tagged(c1, 'B06', 'CANCELUPDATE B01')).toEqual(['B06 BAD Expected a quoted tag']);
    await change('UID STORE 4 +FLAGS.SILENT ($Junk)');
    expect(await send(c1, 'NOOP')).toEqual(['* 1 FETCH (FLAGS ($Junk))', 'TAG OK NOOP completed']);
    await change('UID STORE 4 -FLAGS.SILENT ($Junk)');
    expect(await send(c1, 'NOOP')).toEqual(['* 1 FETCH (FLAGS ())', 'TAG OK NOOP completed']);
  });

  it('numbers a SEARCH context by sequence: REMOVEFROM before the EXPUNGE renumbers', async () => {
    // Now UIDs 4, 5, 6, ... are sequence numbers 1, 2, 3, ...
    expect(await tagged(c1, 'S01', 'SEARCH RETURN (UPDATE ALL) FLAGGED')).toEqual([
      '* ESEARCH (TAG "S01")',
      'S01 OK SEARCH completed',
    ]);
    await change('UID STORE 5,7 +FLAGS.SILENT (\\Flagged)');
    expect(await send(c1, 'NOOP')).toEqual([
      '* 2 FETCH (FLAGS (\\Flagged))',
      '* 4 FETCH (FLAGS (\\Flagged))',
      '* ESEARCH (TAG "S01") ADDTO (0 2,4)',
      'TAG OK NOOP completed',
    ]);
    await change('UID STORE 5 +FLAGS.SILENT (\\Deleted)');
    await change('UID EXPUNGE 5');
    expect(await send(c1, 'NOOP')).toEqual([
      '* ESEARCH (TAG "S01") REMOVEFROM (0 2)',
      '* 2 EXPUNGE',
      'TAG OK NOOP completed',
    ]);
    expect(await tagged(c1, 'S02', 'SEARCH RETURN (ALL) FLAGGED')).toEqual([
      '* ESEARCH (TAG "S02") ALL 3',
      'S02 OK SEARCH completed',
    ]);
    expect(await tagged(c1, 'S03', 'CANCELUPDATE "S01"')).toEqual(['S03 OK CANCELUPDATE completed']);
  });

  it('keeps a SORT context in the requested order: positions in ADDTO and REMOVEFROM', async () => {
    // UIDs 4, 6, 7, 8, 9, 10, 11 are sequence numbers 1-7. By date: 4 (3rd), 10 (4th), 11 (6th),
    // 7 (7th), 9 (8th); 6 is $Junk, 8 \Deleted.
    expect(
      await tagged(c1, 'D01', 'UID SORT RETURN (UPDATE ALL) (DATE) UTF-8 UNDELETED UNKEYWORD $Junk'),
    ).toEqual(['* ESEARCH (TAG "D01") UID ALL 4,10:11,7,9', 'D01 OK UID SORT completed']);
    await append('m10', 5, '');
    expect(await send(c1, 'NOOP')).toEqual([
      '* 8 EXISTS',
      '* 0 RECENT',
      '* ESEARCH (TAG "D01") UID ADDTO (3 12)',
      'TAG OK NOOP completed',
    ]);
    await change('UID STORE 10 +FLAGS.SILENT ($Junk)');
    expect(await send(c1, 'NOOP')).toEqual([
      '* 6 FETCH (FLAGS ($Junk))',
      '* ESEARCH (TAG "D01") UID REMOVEFROM (2 10)',
      'TAG OK NOOP completed',
    ]);
    // [4, 12, 11, 7, 9]: the highest position first, so each pair's position is still right.
    await change('UID STORE 4,9 +FLAGS.SILENT ($Junk)');
    expect(await send(c1, 'NOOP')).toEqual([
      '* 1 FETCH (FLAGS ($Junk))',
      '* 5 FETCH (FLAGS ($Junk))',
      '* ESEARCH (TAG "D01") UID REMOVEFROM (5 9 1 4)',
      'TAG OK NOOP completed',
    ]);
    // [12, 11, 7] + 4, 10, 9: the lowest position first, a run of two at 1.
    await change('UID STORE 4,9,10 -FLAGS.SILENT ($Junk)');
    expect(await send(c1, 'NOOP')).toEqual([
      '* 1 FETCH (FLAGS ())',
      '* 5 FETCH (FLAGS ())',
      '* 6 FETCH (FLAGS ())',
      '* ESEARCH (TAG "D01") UID ADDTO (1 4,10 6 9)',
      'TAG OK NOOP completed',
    ]);
    expect(await tagged(c1, 'D02', 'UID SORT RETURN (ALL) (DATE) UTF-8 UNDELETED UNKEYWORD $Junk')).toEqual([
      '* ESEARCH (TAG "D02") UID ALL 4,10,12,11,7,9',
      'D02 OK UID SORT completed',
    ]);
  });

  it("gives RFC 5267 4.3.3's preferred form: ADDTO (1 2731:2733) for three new first results", async () => {
    expect(await tagged(c1, 'C01', 'UID SORT RETURN (UPDATE ALL) (SUBJECT) UTF-8 SUBJECT zz')).toEqual([
      '* ESEARCH (TAG "C01") UID',
      'C01 OK UID SORT completed',
    ]);
    await h.deliver('alice@example.com', message('zz8', 10));
    await h.deliver('alice@example.com', message('zz9', 10));
    expect(await send(c1, 'NOOP')).toEqual([
      '* 10 EXISTS',
      '* 2 RECENT',
      // D01 (by date) takes them too, at its end.
      '* ESEARCH (TAG "D01") UID ADDTO (7 13:14)',
      '* ESEARCH (TAG "C01") UID ADDTO (1 13:14)',
      'TAG OK NOOP completed',
    ]);
    for (const subject of ['zz1', 'zz2', 'zz3']) await h.deliver('alice@example.com', message(subject, 10));
    expect(await send(c1, 'NOOP')).toEqual([
      '* 13 EXISTS',
      '* 5 RECENT',
      '* ESEARCH (TAG "D01") UID ADDTO (9 15:17)',
      '* ESEARCH (TAG "C01") UID ADDTO (1 15:17)',
      'TAG OK NOOP completed',
    ]);
  });

  it('updates while the client IDLEs (4.3.2: at any time)', async () => {
    c1.send('i IDLE');
    await c1.expect('+ idling');
    await change('UID STORE 12 +FLAGS.SILENT ($Junk)');
    expect(await c1.readUntil(/ESEARCH/)).toEqual([
      '* 8 FETCH (FLAGS ($Junk))',
      '* ESEARCH (TAG "D01") UID REMOVEFROM (3 12)',
    ]);
    c1.send('DONE');
    expect(await c1.readTagged('i')).toEqual([expect.stringMatching(/^i OK /)]);
  });

  it('answers NO [NOUPDATE] past the limit of contexts and still gives the result (4.3.1)', async () => {
    // D01 and C01 are open: eight more reach the limit of ten.
    for (let n = 1; n <= 8; n += 1)
      expect(await tagged(c1, `L${n}`, 'UID SEARCH RETURN (UPDATE) ALL')).toEqual([
        `* ESEARCH (TAG "L${n}") UID`,
        `L${n} OK UID SEARCH completed`,
      ]);
    expect(await tagged(c1, 'L9', 'UID SORT RETURN (UPDATE COUNT) (DATE) UTF-8 ALL')).toEqual([
      '* NO [NOUPDATE "L9"] Too many contexts',
      '* ESEARCH (TAG "L9") UID COUNT 13',
      'L9 OK UID SORT completed',
    ]);
    expect(await tagged(c1, 'L10', 'CANCELUPDATE "L1" "L2" "L3" "L4" "L5" "L6" "L7" "L8"')).toEqual([
      'L10 OK CANCELUPDATE completed',
    ]);
  });

  it("tells the client's own STORE and EXPUNGE too, REMOVEFROM before its EXPUNGE", async () => {
    // D01 (UNDELETED, by date) is [4, 10, 11, 7, 9, 13, 14, 15, 16, 17]; C01 (zz, by subject)
    // is [15, 16, 17, 13, 14]. UID 17 is sequence number 13.
    expect(await tagged(c1, 'X1', 'UID STORE 17 +FLAGS.SILENT (\\Deleted)')).toEqual([
      '* ESEARCH (TAG "D01") UID REMOVEFROM (10 17)',
      'X1 OK UID STORE completed',
    ]);
    expect(await tagged(c1, 'X2', 'EXPUNGE')).toEqual([
      '* ESEARCH (TAG "C01") UID REMOVEFROM (3 17)',
      // UID 8 (\\Deleted from the start, in no context) goes too.
      '* 4 EXPUNGE',
      '* 12 EXPUNGE',
      'X2 OK EXPUNGE completed',
    ]);
  });

  it('ends every context when the mailbox is no longer selected', async () => {
    expect(await tagged(c1, 'u', 'UNSELECT')).toEqual(['u OK UNSELECT completed']);
    expect((await tagged(c1, 's2', 'SELECT INBOX')).pop()).toMatch(/^s2 OK /);
    await change('UID STORE 12 -FLAGS.SILENT ($Junk)');
    expect(await send(c1, 'NOOP')).toEqual(['* 7 FETCH (FLAGS ())', 'TAG OK NOOP completed']);
    expect(await tagged(c1, 'z', 'CANCELUPDATE "D01"')).toEqual(['z NO Unknown tag']);
    expect(await tagged(c2, 'z2', 'CANCELUPDATE "D01"')).toEqual(['z2 NO Unknown tag']);
  });
});

describe('a context the store cannot update', () => {
  it('stops with * NO [NOUPDATE], and the EXPUNGEs of the same moment are still told', async () => {
    let failReads = false;
    const broken = await startHarness({
      wrapStore: (store) =>
        new Proxy(store, {
          get(target, property, receiver) {
            if (property === 'getMessages' && failReads)
              return () => Promise.reject(new Error('store read failed'));
            const value: unknown = Reflect.get(target, property, receiver);
            return typeof value === 'function' ? value.bind(target) : value;
          },
        }),
    });
    try {
      await broken.deliver('alice@example.com', message('one', 1));
      await broken.deliver('alice@example.com', message('two', 2));
      const watcher = await broken.raw();
      await rawLogin(watcher);
      await tagged(watcher, 's', 'SELECT INBOX');
      expect(await tagged(watcher, 'B1', 'UID SEARCH RETURN (UPDATE) FLAGGED')).toEqual([
        '* ESEARCH (TAG "B1") UID',
        'B1 OK UID SEARCH completed',
      ]);
      const writer = await broken.raw();
      await rawLogin(writer);
      await tagged(writer, 's', 'SELECT INBOX');
      await tagged(writer, 'w1', 'UID STORE 1 +FLAGS.SILENT (\\Flagged)');
      await tagged(writer, 'w2', 'UID STORE 2 +FLAGS.SILENT (\\Deleted)');
      await tagged(writer, 'w3', 'UID EXPUNGE 2');
      failReads = true;
      expect(await tagged(watcher, 'n1', 'NOOP')).toEqual([
        '* 1 FETCH (FLAGS (\\Flagged \\Recent))',
        '* NO [NOUPDATE "B1"] Updates stopped',
        '* 2 EXPUNGE',
        'n1 OK NOOP completed',
      ]);
      failReads = false;
      expect(await tagged(watcher, 'n2', 'CANCELUPDATE "B1"')).toEqual(['n2 NO Unknown tag']);
    } finally {
      await broken.close();
    }
  });
});
