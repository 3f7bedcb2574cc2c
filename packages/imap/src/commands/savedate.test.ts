/** SAVEDATE (RFC 8514): the FETCH item and the SAVED* search keys, as raw transcripts. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawClient } from '@minimail/protocol/testing';
import { dayOf, formatDate, formatDateTime } from '../protocol/imap-date.js';
import { rawLogin, sampleMessage, startHarness, type Harness } from '../test-support/harness.js';

let h: Harness;
let c: RawClient;
const DAY = 24 * 60 * 60 * 1000;

async function run(tag: string, command: string): Promise<string[]> {
  c.send(`${tag} ${command}`);
  return c.readTagged(tag);
}

/** The save dates the store recorded for a mailbox, by UID. */
async function saveDates(mailbox: string): Promise<Map<number, Date>> {
  const user = await h.store.getUser('alice@example.com');
  const box = await h.store.getMailbox(user!.id, mailbox);
  const messages = await h.store.listMessages(box!.id);
  return new Map(messages.map((m) => [m.uid, m.saveDate]));
}

beforeAll(async () => {
  h = await startHarness();
  // Delivered today, with an internal date in 2000: the save date is not the internal date.
  await h.deliver('alice@example.com', sampleMessage('old'), {
    internalDate: new Date(Date.UTC(2000, 0, 1)),
  });
  c = await h.raw();
  await rawLogin(c);
  await run('c', 'CREATE Later');
  // APPEND with an explicit internal date: saved now all the same (RFC 8514 3).
  const message = sampleMessage('appended');
  c.send(`ap APPEND INBOX "01-Jan-2001 00:00:00 +0000" {${Buffer.byteLength(message)}+}`);
  c.sendRaw(`${message}\r\n`);
  await c.readTagged('ap');
  await run('s', 'SELECT INBOX');
});
afterAll(async () => {
  await h.close();
});

describe('SAVEDATE (RFC 8514)', () => {
  it('is advertised', async () => {
    expect((await run('cap', 'CAPABILITY'))[0]).toMatch(/ SAVEDATE /);
  });

  it('FETCH SAVEDATE is the moment the message was saved here, not its internal date', async () => {
    const dates = await saveDates('INBOX');
    expect(await run('f1', 'FETCH 1:2 (SAVEDATE INTERNALDATE)')).toEqual([
      `* 1 FETCH (SAVEDATE "${formatDateTime(dates.get(1)!)}" INTERNALDATE "01-Jan-2000 00:00:00 +0000")`,
      `* 2 FETCH (SAVEDATE "${formatDateTime(dates.get(2)!)}" INTERNALDATE "01-Jan-2001 00:00:00 +0000")`,
      'f1 OK FETCH completed',
    ]);
    expect(Math.abs(dates.get(1)!.getTime() - Date.now())).toBeLessThan(DAY);
  });

  it('COPY and MOVE save the message again in the target', async () => {
    const before = (await saveDates('INBOX')).get(1)!;
    expect(await run('cp', 'UID COPY 1 Later')).toEqual([
      expect.stringMatching(/^cp OK \[COPYUID \d+ 1 1\] /),
    ]);
    const copied = (await saveDates('Later')).get(1)!;
    expect(copied.getTime()).toBeGreaterThanOrEqual(before.getTime());
  });

  it('SAVEDBEFORE, SAVEDON, SAVEDSINCE compare the day of the save date; SAVEDATESUPPORTED matches all', async () => {
    const today = formatDate(dayOf((await saveDates('INBOX')).get(1)!));
    const tomorrow = formatDate(dayOf(new Date((await saveDates('INBOX')).get(1)!.getTime() + DAY)));
    expect(await run('s1', `SEARCH SAVEDON ${today}`)).toEqual(['* SEARCH 1 2', 's1 OK SEARCH completed']);
    expect(await run('s2', `SEARCH SAVEDBEFORE ${today}`)).toEqual(['* SEARCH', 's2 OK SEARCH completed']);
    expect(await run('s3', `SEARCH SAVEDSINCE ${today}`)).toEqual(['* SEARCH 1 2', 's3 OK SEARCH completed']);
    expect(await run('s4', `SEARCH SAVEDSINCE ${tomorrow}`)).toEqual(['* SEARCH', 's4 OK SEARCH completed']);
    expect(await run('s5', `SEARCH SAVEDBEFORE ${tomorrow} BEFORE 1-Jun-2000`)).toEqual([
      '* SEARCH 1',
      's5 OK SEARCH completed',
    ]);
    expect(await run('s6', 'SEARCH SAVEDATESUPPORTED')).toEqual(['* SEARCH 1 2', 's6 OK SEARCH completed']);
    expect(await run('s7', 'UID SEARCH RETURN (COUNT) NOT SAVEDATESUPPORTED')).toEqual([
      '* ESEARCH (TAG "s7") UID COUNT 0',
      's7 OK UID SEARCH completed',
    ]);
  });

  it('refuses malformed SAVED* keys and SAVEDATE with a section', async () => {
    expect(await run('b1', 'SEARCH SAVEDON 32-Jan-2024')).toEqual([expect.stringMatching(/^b1 BAD /)]);
    expect(await run('b2', 'SEARCH SAVEDSINCE')).toEqual(['b2 BAD Expected a space']);
    expect(await run('b3', 'SEARCH SAVEDATESUPPORTED 1')).toEqual(['* SEARCH 1', 'b3 OK SEARCH completed']);
    expect(await run('b4', 'FETCH 1 SAVEDATE[]')).toEqual([expect.stringMatching(/^b4 BAD /)]);
  });
});
