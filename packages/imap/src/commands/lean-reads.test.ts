/**
 * FETCH of FLAGS/UID/MODSEQ and SEARCH by flags answer from the store's lean UID/flags list
 * (listMessageFlags), other items from the summaries: both must agree, also while a message
 * expunged by someone else is still in the client's view (RFC 3501 7.4.1: not announced during
 * FETCH or SEARCH).
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { RawClient } from '@minimail/protocol/testing';
import { rawLogin, startHarness, type Harness } from '../test-support/harness.js';

let h: Harness;
let c: RawClient;
let inboxId: number;

beforeEach(async () => {
  h = await startHarness();
  for (let i = 1; i <= 4; i += 1)
    await h.deliver('alice@example.com', `Subject: ${i}\r\n\r\n${'x'.repeat(i * 100)}\r\n`, {
      flags: i % 2 === 0 ? ['\\Seen', '$Done'] : [],
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

it('FETCH FLAGS and SEARCH by flags skip a message expunged elsewhere until it may be announced', async () => {
  await h.store.expunge(inboxId, [2]);
  c.send('a FETCH 1:* (FLAGS UID)');
  expect(await c.readTagged('a')).toEqual([
    '* 1 FETCH (FLAGS (\\Recent) UID 1)',
    '* 3 FETCH (FLAGS (\\Recent) UID 3)',
    '* 4 FETCH (FLAGS (\\Seen $Done \\Recent) UID 4)',
    'a OK FETCH completed',
  ]);
  c.send('b FETCH 1:* (FLAGS RFC822.SIZE)');
  expect(await c.readTagged('b')).toEqual([
    '* 1 FETCH (FLAGS (\\Recent) RFC822.SIZE 116)',
    '* 3 FETCH (FLAGS (\\Recent) RFC822.SIZE 316)',
    '* 4 FETCH (FLAGS (\\Seen $Done \\Recent) RFC822.SIZE 416)',
    'b OK FETCH completed',
  ]);
  c.send('c SEARCH UNSEEN');
  expect(await c.readTagged('c')).toEqual(['* SEARCH 1 3', 'c OK SEARCH completed']);
  c.send('d SEARCH KEYWORD $Done LARGER 200');
  expect(await c.readTagged('d')).toEqual(['* SEARCH 4', 'd OK SEARCH completed']);
  // The UID form may announce the expunge (RFC 3501 7.4.1), after its own answer.
  c.send('e UID SEARCH ALL');
  expect(await c.readTagged('e')).toEqual(['* SEARCH 1 3 4', '* 2 EXPUNGE', 'e OK UID SEARCH completed']);
});

it('a lean FETCH of a few messages and a MODSEQ FETCH answer what the store holds', async () => {
  await h.store.setFlags(inboxId, [3], 'add', ['\\Flagged']);
  const modseq = (await h.store.getMessage(inboxId, 3))!.modseq;
  c.send('a FETCH 3 (FLAGS MODSEQ)');
  // RFC 7162 3.1: the first CONDSTORE enabling command tells the view's HIGHESTMODSEQ first.
  expect(await c.readTagged('a')).toEqual([
    `* OK [HIGHESTMODSEQ ${modseq - 1}] Highest`,
    `* 3 FETCH (FLAGS (\\Flagged \\Recent) MODSEQ (${modseq}))`,
    'a OK FETCH completed',
  ]);
  c.send(`b UID FETCH 1:* (FLAGS) (CHANGEDSINCE ${modseq - 1})`);
  expect(await c.readTagged('b')).toEqual([
    `* 3 FETCH (UID 3 FLAGS (\\Flagged \\Recent) MODSEQ (${modseq}))`,
    'b OK UID FETCH completed',
  ]);
});
