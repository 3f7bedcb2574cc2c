/**
 * The FETCH FLAGS/UID/MODSEQ lines written straight from the lean list (fetch-flags.ts) say what
 * the general path said: keywords new to the client are listed by FLAGS first (RFC 3501 7.2.6),
 * items come in the order asked, \Recent is added for this session's recent messages, CHANGEDSINCE
 * filters by mod-sequence (RFC 7162 3.1.4.1), and what was told is not told again by the next
 * announcement. Also SEARCH by flags evaluated once per distinct flag list.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { RawClient } from '@minimail/protocol/testing';
import { rawLogin, startHarness, type Harness } from '../test-support/harness.js';

let h: Harness;
let c: RawClient;
let inboxId: number;

beforeEach(async () => {
  h = await startHarness();
  for (let i = 1; i <= 6; i += 1)
    await h.deliver('alice@example.com', `Subject: ${i}\r\n\r\nbody ${i}\r\n`, {
      flags: i % 3 === 0 ? ['\\Seen'] : [],
    });
  const user = await h.store.getUser('alice@example.com');
  inboxId = (await h.store.getMailbox(user!.id, 'INBOX'))!.id;
  c = await h.raw();
  await rawLogin(c);
  c.send('s SELECT INBOX');
  await c.readTagged('s');
});
afterEach(async () => {
  await h.close();
});

it('lists a keyword set elsewhere by FLAGS before the FETCH lines, then does not tell it again', async () => {
  await h.store.setFlags(inboxId, [2, 5], 'add', ['$Label']);
  c.send('a FETCH 1:* (UID FLAGS)');
  expect(await c.readTagged('a')).toEqual([
    '* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $Label)',
    '* OK [PERMANENTFLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $Label \\*)] Flags permitted',
    '* 1 FETCH (UID 1 FLAGS (\\Recent))',
    '* 2 FETCH (UID 2 FLAGS ($Label \\Recent))',
    '* 3 FETCH (UID 3 FLAGS (\\Seen \\Recent))',
    '* 4 FETCH (UID 4 FLAGS (\\Recent))',
    '* 5 FETCH (UID 5 FLAGS ($Label \\Recent))',
    '* 6 FETCH (UID 6 FLAGS (\\Seen \\Recent))',
    'a OK FETCH completed',
  ]);
  // The changes were told by the FETCH: the next command hears nothing more of them.
  c.send('b NOOP');
  expect(await c.readTagged('b')).toEqual(['b OK NOOP completed']);
});

it('answers items in the order asked, only for the set, and CHANGEDSINCE above the mod-sequence', async () => {
  c.send('a FETCH 2:4,6 (FLAGS UID)');
  expect(await c.readTagged('a')).toEqual([
    '* 2 FETCH (FLAGS (\\Recent) UID 2)',
    '* 3 FETCH (FLAGS (\\Seen \\Recent) UID 3)',
    '* 4 FETCH (FLAGS (\\Recent) UID 4)',
    '* 6 FETCH (FLAGS (\\Seen \\Recent) UID 6)',
    'a OK FETCH completed',
  ]);
  await h.store.setFlags(inboxId, [4], 'add', ['\\Flagged']);
  const modseq = (await h.store.getMessage(inboxId, 4))!.modseq;
  c.send('b NOOP');
  await c.readTagged('b');
  c.send(`c UID FETCH 1:* (FLAGS) (CHANGEDSINCE ${modseq - 1})`);
  expect(await c.readTagged('c')).toEqual([
    `* OK [HIGHESTMODSEQ ${modseq}] Highest`,
    `* 4 FETCH (UID 4 FLAGS (\\Flagged \\Recent) MODSEQ (${modseq}))`,
    'c OK UID FETCH completed',
  ]);
  c.send('d UID FETCH 5:* (MODSEQ)');
  const five = (await h.store.getMessage(inboxId, 5))!.modseq;
  const six = (await h.store.getMessage(inboxId, 6))!.modseq;
  expect(await c.readTagged('d')).toEqual([
    `* 5 FETCH (UID 5 MODSEQ (${five}))`,
    `* 6 FETCH (UID 6 MODSEQ (${six}))`,
    'd OK UID FETCH completed',
  ]);
});

it('SEARCH by flags answers per message as before, \\Recent included', async () => {
  await h.store.setFlags(inboxId, [1], 'add', ['\\Seen']);
  c.send('a SEARCH UNSEEN');
  expect(await c.readTagged('a')).toEqual([
    '* SEARCH 2 4 5',
    '* 1 FETCH (FLAGS (\\Seen \\Recent))',
    'a OK SEARCH completed',
  ]);
  c.send('b UID SEARCH OR SEEN NEW');
  expect(await c.readTagged('b')).toEqual(['* SEARCH 1 2 3 4 5 6', 'b OK UID SEARCH completed']);
  c.send('c SEARCH NOT RECENT');
  expect(await c.readTagged('c')).toEqual(['* SEARCH', 'c OK SEARCH completed']);
  c.send('d SEARCH 2:5 UNSEEN');
  expect(await c.readTagged('d')).toEqual(['* SEARCH 2 4 5', 'd OK SEARCH completed']);
});
