/**
 * ESEARCH (RFC 4731), SEARCHRES (RFC 5182) and WITHIN (RFC 5032) as raw transcripts, with the
 * RFCs' own examples where our mailbox can reproduce them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawClient } from '@minimail/protocol/testing';
import { rawLogin, startHarness, type Harness } from '../test-support/harness.js';

const DAY = 24 * 60 * 60 * 1000;

/**
 * Twelve messages set up so that RFC 4731's example criteria
 * `FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"` find exactly 2, 10 and 11, as in its examples:
 * 2, 5, 10, 11 and 12 are \Flagged, 5 arrived in 1990, 12 is from Smith.
 */
function mailbox(): Array<{ raw: string; flags: string[]; internalDate: Date }> {
  const now = Date.now();
  return Array.from({ length: 12 }, (_, index) => {
    const n = index + 1;
    const from = n === 12 ? 'John Smith <smith@example.org>' : `User ${n} <user${n}@example.org>`;
    const flagged = [2, 5, 10, 11, 12].includes(n);
    // Message n arrived n days ago (5 in 1990), so WITHIN has something to tell apart.
    const internalDate = n === 5 ? new Date(Date.UTC(1990, 0, 1)) : new Date(now - n * DAY);
    const size = n % 2 === 0 ? 'x'.repeat(5000) : 'short';
    return {
      raw: [`From: ${from}`, 'To: alice@example.com', `Subject: message ${n}`, '', size, ''].join('\r\n'),
      flags: flagged ? ['\\Flagged'] : [],
      internalDate,
    };
  });
}

let h: Harness;
let c: RawClient;

async function select(client: RawClient): Promise<void> {
  client.send('s SELECT INBOX');
  await client.readTagged('s');
}

beforeAll(async () => {
  h = await startHarness();
  for (const m of mailbox())
    await h.deliver('alice@example.com', m.raw, { flags: m.flags, internalDate: m.internalDate });
  c = await h.raw();
  await rawLogin(c);
  await select(c);
});
afterAll(async () => {
  await h.close();
});

async function run(tag: string, command: string): Promise<string[]> {
  c.send(`${tag} ${command}`);
  return c.readTagged(tag);
}

const EXAMPLE = 'FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"';

describe('ESEARCH (RFC 4731)', () => {
  it('is advertised', async () => {
    const lines = await run('cap', 'CAPABILITY');
    expect(lines[0]).toMatch(/ ESEARCH SEARCHRES WITHIN SORT SORT=DISPLAY .*I18NLEVEL=1 SAVEDATE /);
  });

  it('answers the RFC 4731 3.1 examples', async () => {
    expect(await run('A282', `SEARCH RETURN (MIN COUNT) ${EXAMPLE}`)).toEqual([
      '* ESEARCH (TAG "A282") MIN 2 COUNT 3',
      'A282 OK SEARCH completed',
    ]);
    expect(await run('A283', `SEARCH RETURN () ${EXAMPLE}`)).toEqual([
      '* ESEARCH (TAG "A283") ALL 2,10:11',
      'A283 OK SEARCH completed',
    ]);
    expect(await run('A285', 'UID SEARCH RETURN (MIN MAX) 1:5000')).toEqual([
      '* ESEARCH (TAG "A285") UID MIN 1 MAX 12',
      'A285 OK UID SEARCH completed',
    ]);
    expect(await run('A286', 'SEARCH RETURN (COUNT) DELETED')).toEqual([
      '* ESEARCH (TAG "A286") COUNT 0',
      'A286 OK SEARCH completed',
    ]);
  });

  it('answers every result option alone and together, by sequence number and by UID', async () => {
    expect(await run('a1', `SEARCH RETURN (MIN) ${EXAMPLE}`)).toEqual([
      '* ESEARCH (TAG "a1") MIN 2',
      'a1 OK SEARCH completed',
    ]);
    expect(await run('a2', `SEARCH RETURN (MAX) ${EXAMPLE}`)).toEqual([
      '* ESEARCH (TAG "a2") MAX 11',
      'a2 OK SEARCH completed',
    ]);
    expect(await run('a3', `SEARCH RETURN (ALL) ${EXAMPLE}`)).toEqual([
      '* ESEARCH (TAG "a3") ALL 2,10:11',
      'a3 OK SEARCH completed',
    ]);
    expect(await run('a4', `SEARCH RETURN (COUNT) ${EXAMPLE}`)).toEqual([
      '* ESEARCH (TAG "a4") COUNT 3',
      'a4 OK SEARCH completed',
    ]);
    expect(await run('a5', `SEARCH RETURN (count all MAX min) ${EXAMPLE}`)).toEqual([
      '* ESEARCH (TAG "a5") MIN 2 MAX 11 COUNT 3 ALL 2,10:11',
      'a5 OK SEARCH completed',
    ]);
    expect(await run('a6', `UID SEARCH RETURN (ALL) ${EXAMPLE}`)).toEqual([
      '* ESEARCH (TAG "a6") UID ALL 2,10:11',
      'a6 OK UID SEARCH completed',
    ]);
    expect(await run('a7', 'SEARCH RETURN (MIN MAX) 7')).toEqual([
      '* ESEARCH (TAG "a7") MIN 7 MAX 7',
      'a7 OK SEARCH completed',
    ]);
    expect(await run('a8', 'SEARCH RETURN (ALL) CHARSET UTF-8 SUBJECT "message 1"')).toEqual([
      '* ESEARCH (TAG "a8") ALL 1,10:12',
      'a8 OK SEARCH completed',
    ]);
  });

  it('leaves MIN, MAX and ALL out when nothing matched, and keeps COUNT 0', async () => {
    expect(await run('n1', 'SEARCH RETURN (MIN MAX ALL COUNT) DELETED')).toEqual([
      '* ESEARCH (TAG "n1") COUNT 0',
      'n1 OK SEARCH completed',
    ]);
    expect(await run('n2', 'UID SEARCH RETURN (MIN) DELETED')).toEqual([
      '* ESEARCH (TAG "n2") UID',
      'n2 OK UID SEARCH completed',
    ]);
  });

  it('still answers `* SEARCH` without RETURN', async () => {
    expect(await run('p1', `SEARCH ${EXAMPLE}`)).toEqual(['* SEARCH 2 10 11', 'p1 OK SEARCH completed']);
  });

  it('adds MODSEQ for a MODSEQ key: of MIN/MAX when only those are asked, else of every match (RFC 4731 3.2)', async () => {
    const all = await run('m0', 'FETCH 1:* (MODSEQ)');
    const modseqOf = (n: number): number => {
      const line = all.find((l) => l.startsWith(`* ${n} FETCH`)) as string;
      return Number(/MODSEQ \((\d+)\)/.exec(line)?.[1]);
    };
    const highest = Math.max(modseqOf(2), modseqOf(10), modseqOf(11));
    expect(await run('m1', `SEARCH RETURN (MIN) MODSEQ 1 ${EXAMPLE}`)).toEqual([
      `* ESEARCH (TAG "m1") MIN 2 MODSEQ ${modseqOf(2)}`,
      'm1 OK SEARCH completed',
    ]);
    expect(await run('m2', `SEARCH RETURN (MIN MAX) MODSEQ 1 ${EXAMPLE}`)).toEqual([
      `* ESEARCH (TAG "m2") MIN 2 MAX 11 MODSEQ ${Math.max(modseqOf(2), modseqOf(11))}`,
      'm2 OK SEARCH completed',
    ]);
    expect(await run('m3', `SEARCH RETURN (COUNT) MODSEQ 1 ${EXAMPLE}`)).toEqual([
      `* ESEARCH (TAG "m3") COUNT 3 MODSEQ ${highest}`,
      'm3 OK SEARCH completed',
    ]);
    expect(await run('m4', 'SEARCH RETURN (COUNT) MODSEQ 1 DELETED')).toEqual([
      '* ESEARCH (TAG "m4") COUNT 0',
      'm4 OK SEARCH completed',
    ]);
  });

  it('refuses unknown or malformed return options with BAD', async () => {
    expect(await run('b1', 'SEARCH RETURN (FIRST) ALL')).toEqual([
      'b1 BAD Unknown search return option FIRST',
    ]);
    expect(await run('b2', 'SEARCH RETURN ALL')).toEqual(['b2 BAD Expected a parenthesized list']);
    expect(await run('b3', 'SEARCH RETURN (MIN)')).toEqual(['b3 BAD Expected a space']);
    expect(await run('b4', 'SEARCH RETURN (MIN) CHARSET KOI8-R ALL')).toEqual([
      'b4 NO [BADCHARSET (US-ASCII UTF-8)] Unsupported charset',
    ]);
  });
});

describe('SEARCHRES (RFC 5182)', () => {
  it('saves a result without an ESEARCH response and lets FETCH, STORE, COPY and SEARCH use $ (RFC 5182 2.1 examples)', async () => {
    expect(await run('A282', `SEARCH RETURN (SAVE) ${EXAMPLE}`)).toEqual([
      'A282 OK SEARCH completed, result saved',
    ]);
    // This first session holds \Recent for every message (RFC 3501 2.3.2).
    expect(await run('A283', 'FETCH $ (UID FLAGS)')).toEqual([
      '* 2 FETCH (UID 2 FLAGS (\\Flagged \\Recent))',
      '* 10 FETCH (UID 10 FLAGS (\\Flagged \\Recent))',
      '* 11 FETCH (UID 11 FLAGS (\\Flagged \\Recent))',
      'A283 OK FETCH completed',
    ]);
    expect(await run('A284', 'UID FETCH $ (FLAGS)')).toEqual([
      '* 2 FETCH (UID 2 FLAGS (\\Flagged \\Recent))',
      '* 10 FETCH (UID 10 FLAGS (\\Flagged \\Recent))',
      '* 11 FETCH (UID 11 FLAGS (\\Flagged \\Recent))',
      'A284 OK UID FETCH completed',
    ]);
    // `$` combined with other keys: the even (5000-byte) ones of the saved 2, 10, 11.
    expect(await run('A285', 'SEARCH $ LARGER 4096')).toEqual(['* SEARCH 2 10', 'A285 OK SEARCH completed']);
    expect(await run('A286', 'UID SEARCH UID $ SMALLER 4096')).toEqual([
      '* SEARCH 11',
      'A286 OK UID SEARCH completed',
    ]);
    // CONDSTORE was enabled above (MODSEQ key): a silent STORE still tells the new MODSEQ
    // (RFC 7162 3.1.3), after FLAGS/PERMANENTFLAGS list the new keyword (RFC 3501 7.2.6).
    expect(await run('A287', 'STORE $ +FLAGS.SILENT ($Saved)')).toEqual([
      '* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $Saved)',
      '* OK [PERMANENTFLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $Saved \\*)] Flags permitted',
      expect.stringMatching(/^\* 2 FETCH \(UID 2 MODSEQ \(\d+\)\)$/),
      expect.stringMatching(/^\* 10 FETCH \(UID 10 MODSEQ \(\d+\)\)$/),
      expect.stringMatching(/^\* 11 FETCH \(UID 11 MODSEQ \(\d+\)\)$/),
      'A287 OK STORE completed',
    ]);
    expect(await run('A288', 'SEARCH KEYWORD $Saved')).toEqual([
      '* SEARCH 2 10 11',
      'A288 OK SEARCH completed',
    ]);
    expect(await run('A289', 'CREATE saved')).toEqual([
      expect.stringMatching(/^A289 OK \[MAILBOXID \(F[0-9a-f]{24}\)\] CREATE completed$/),
    ]);
    const copied = await run('A290', 'UID COPY $ saved');
    expect(copied).toEqual([expect.stringMatching(/^A290 OK \[COPYUID \d+ 2,10:11 1:3\] /)]);
  });

  it('saves MIN and/or MAX only when those are the only other options (RFC 5182 2.1)', async () => {
    expect(await run('s1', `SEARCH RETURN (SAVE MIN) ${EXAMPLE}`)).toEqual([
      '* ESEARCH (TAG "s1") MIN 2',
      's1 OK SEARCH completed, result saved',
    ]);
    expect(await run('s2', 'SEARCH $')).toEqual(['* SEARCH 2', 's2 OK SEARCH completed']);
    expect(await run('s3', `SEARCH RETURN (SAVE MIN MAX) ${EXAMPLE}`)).toEqual([
      '* ESEARCH (TAG "s3") MIN 2 MAX 11',
      's3 OK SEARCH completed, result saved',
    ]);
    expect(await run('s4', 'SEARCH $')).toEqual(['* SEARCH 2 11', 's4 OK SEARCH completed']);
    expect(await run('s5', `SEARCH RETURN (SAVE MIN COUNT) ${EXAMPLE}`)).toEqual([
      '* ESEARCH (TAG "s5") MIN 2 COUNT 3',
      's5 OK SEARCH completed, result saved',
    ]);
    expect(await run('s6', 'SEARCH $')).toEqual(['* SEARCH 2 10 11', 's6 OK SEARCH completed']);
    expect(await run('s7', `UID SEARCH RETURN (SAVE ALL) ${EXAMPLE}`)).toEqual([
      '* ESEARCH (TAG "s7") UID ALL 2,10:11',
      's7 OK UID SEARCH completed, result saved',
    ]);
    expect(await run('s8', 'SEARCH $')).toEqual(['* SEARCH 2 10 11', 's8 OK SEARCH completed']);
  });

  it('uses the previous $ inside the SEARCH that replaces it', async () => {
    await run('r0', `SEARCH RETURN (SAVE) ${EXAMPLE}`);
    expect(await run('r1', 'SEARCH RETURN (SAVE ALL) $ LARGER 4096')).toEqual([
      '* ESEARCH (TAG "r1") ALL 2,10',
      'r1 OK SEARCH completed, result saved',
    ]);
    expect(await run('r2', 'SEARCH $')).toEqual(['* SEARCH 2 10', 'r2 OK SEARCH completed']);
  });

  it('empties $ when a SEARCH with SAVE fails with BAD or NO (RFC 5182 2.1)', async () => {
    await run('f0', `SEARCH RETURN (SAVE) ${EXAMPLE}`);
    expect(await run('f1', 'SEARCH RETURN (SAVE) NOSUCHKEY')).toEqual([
      'f1 BAD Unknown search key NOSUCHKEY',
    ]);
    expect(await run('f2', 'FETCH $ (UID)')).toEqual(['f2 OK FETCH completed']);
    await run('f3', `SEARCH RETURN (SAVE) ${EXAMPLE}`);
    expect(await run('f4', 'SEARCH RETURN (SAVE) CHARSET KOI8-R ALL')).toEqual([
      'f4 NO [BADCHARSET (US-ASCII UTF-8)] Unsupported charset',
    ]);
    expect(await run('f5', 'SEARCH $')).toEqual(['* SEARCH', 'f5 OK SEARCH completed']);
    // A failed SEARCH without SAVE leaves $ alone.
    await run('f6', `SEARCH RETURN (SAVE) ${EXAMPLE}`);
    expect(await run('f7', 'SEARCH NOSUCHKEY')).toEqual(['f7 BAD Unknown search key NOSUCHKEY']);
    expect(await run('f8', 'SEARCH $')).toEqual(['* SEARCH 2 10 11', 'f8 OK SEARCH completed']);
  });

  it('starts empty on every SELECT, drops expunged messages, and is refused where no set may stand', async () => {
    const other = await h.raw();
    await rawLogin(other);
    await select(other);
    other.send('e1 SEARCH $');
    expect(await other.readTagged('e1')).toEqual(['* SEARCH', 'e1 OK SEARCH completed']);
    other.send(`e2 SEARCH RETURN (SAVE) ${EXAMPLE}`);
    await other.readTagged('e2');
    other.send('e3 STORE 10 +FLAGS.SILENT (\\Deleted)');
    await other.readTagged('e3');
    // UID EXPUNGE $ removes only the \Deleted members of $ (10), not the whole mailbox.
    other.send('e4 UID EXPUNGE $');
    expect(await other.readTagged('e4')).toEqual(['* 10 EXPUNGE', 'e4 OK UID EXPUNGE completed']);
    other.send('e5 FETCH $ (UID)');
    expect(await other.readTagged('e5')).toEqual([
      '* 2 FETCH (UID 2)',
      '* 10 FETCH (UID 11)',
      'e5 OK FETCH completed',
    ]);
    other.send('e6 SELECT INBOX');
    await other.readTagged('e6');
    other.send('e7 SEARCH $');
    expect(await other.readTagged('e7')).toEqual(['* SEARCH', 'e7 OK SEARCH completed']);
    // `$` is a whole sequence set, never part of one (RFC 5182 4: seq-last-command).
    other.send('e8 FETCH $,1 (UID)');
    expect(await other.readTagged('e8')).toEqual([expect.stringMatching(/^e8 BAD /)]);
    other.send('e9 LOGOUT');
    await other.readTagged('e9');
  });
});

describe('WITHIN (RFC 5032)', () => {
  it('finds messages by age in seconds (RFC 5032 3 example shapes)', async () => {
    // Message n arrived n days ago; 5 in 1990; the other session expunged UID 10 above.
    expect(await run('w0', 'NOOP')).toEqual(['* 10 EXPUNGE', 'w0 OK NOOP completed']);
    expect(await run('w1', `SEARCH YOUNGER ${Math.round(3.5 * 86400)}`)).toEqual([
      '* SEARCH 1 2 3',
      'w1 OK SEARCH completed',
    ]);
    expect(await run('w2', `UID SEARCH OLDER ${Math.round(10.5 * 86400)}`)).toEqual([
      '* SEARCH 5 11 12',
      'w2 OK UID SEARCH completed',
    ]);
    expect(await run('w3', `SEARCH OLDER ${2 * 86400 - 60} YOUNGER ${4 * 86400 - 60}`)).toEqual([
      '* SEARCH 2 3',
      'w3 OK SEARCH completed',
    ]);
    expect(await run('w4', `SEARCH RETURN (COUNT) NOT YOUNGER 86400`)).toEqual([
      '* ESEARCH (TAG "w4") COUNT 11',
      'w4 OK SEARCH completed',
    ]);
  });

  it('refuses a zero, missing or non-numeric interval with BAD', async () => {
    expect(await run('x1', 'SEARCH OLDER 0')).toEqual(['x1 BAD Invalid interval in seconds']);
    expect(await run('x2', 'SEARCH YOUNGER')).toEqual(['x2 BAD Expected a space']);
    expect(await run('x3', 'SEARCH YOUNGER soon')).toEqual(['x3 BAD Expected an interval in seconds']);
  });
});

describe('ESEARCH once UIDs and sequence numbers differ', () => {
  it('answers sequence numbers for SEARCH and UIDs (with the UID indicator) for UID SEARCH', async () => {
    // UID 10 is gone (above): UIDs 11 and 12 are sequence numbers 10 and 11.
    expect(await run('d1', 'SEARCH RETURN (MIN MAX COUNT ALL) FLAGGED')).toEqual([
      '* ESEARCH (TAG "d1") MIN 2 MAX 11 COUNT 4 ALL 2,5,10:11',
      'd1 OK SEARCH completed',
    ]);
    expect(await run('d2', 'UID SEARCH RETURN (MIN MAX COUNT ALL) FLAGGED')).toEqual([
      '* ESEARCH (TAG "d2") UID MIN 2 MAX 12 COUNT 4 ALL 2,5,11:12',
      'd2 OK UID SEARCH completed',
    ]);
    // RFC 5182: `$` holds UIDs, so it follows the renumbering.
    expect(await run('d3', 'UID SEARCH RETURN (SAVE) UID 11:12')).toEqual([
      'd3 OK UID SEARCH completed, result saved',
    ]);
    expect(await run('d4', 'SEARCH RETURN (ALL) $')).toEqual([
      '* ESEARCH (TAG "d4") ALL 10:11',
      'd4 OK SEARCH completed',
    ]);
  });
});
