/**
 * RFC 8474 OBJECTID: MAILBOXID on CREATE's OK, on SELECT/EXAMINE and in STATUS; EMAILID and
 * THREADID in FETCH; SEARCH EMAILID / THREADID. Ids are the same in every session (derived from
 * stored ids, object-id.ts), survive RENAME, change when a name is re-created, and EMAILID is
 * kept by COPY and MOVE.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { emailObjectId, mailboxObjectId } from '../object-id.js';
import { rawLogin, sampleMessage, startHarness, type Harness } from '../test-support/harness.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const MAILBOXID = /\[MAILBOXID \((F[0-9a-f]{24})\)\]/;

async function loggedIn() {
  h ??= await startHarness();
  const c = await h.raw();
  await rawLogin(c);
  return c;
}

function idOf(line: string | undefined): string {
  const match = MAILBOXID.exec(line ?? '');
  if (!match?.[1]) throw new Error(`no MAILBOXID in ${line}`);
  return match[1];
}

describe('OBJECTID (RFC 8474)', () => {
  it('MAILBOXID: CREATE tells it, SELECT/EXAMINE/STATUS repeat it, RENAME keeps it, re-creating changes it', async () => {
    const c = await loggedIn();
    // RFC 8474 4.1 example: CREATE's tagged OK carries the new id.
    c.send('3 create foo');
    const created = idOf((await c.readTagged('3'))[0]);
    c.send('4 create bar');
    const bar = idOf((await c.readTagged('4'))[0]);
    expect(bar).not.toBe(created);
    c.send('5 create foo');
    expect(await c.readTagged('5')).toEqual(['5 NO [ALREADYEXISTS] Mailbox already exists']);
    // RFC 8474 4.2 / 4.3 examples.
    c.send('5 STATUS foo (MAILBOXID)');
    expect(await c.readTagged('5')).toEqual([
      `* STATUS "foo" (MAILBOXID (${created}))`,
      '5 OK STATUS completed',
    ]);
    c.send('6 RENAME foo renamed');
    await c.readTagged('6');
    c.send('7 STATUS renamed (MAILBOXID)');
    expect((await c.readTagged('7'))[0]).toBe(`* STATUS "renamed" (MAILBOXID (${created}))`);
    c.send('8 EXAMINE renamed');
    const examined = await c.readTagged('8');
    expect(examined).toContain(`* OK [MAILBOXID (${created})] Ok`);
    // Another session (and the store's own ids) agree.
    const other = await h!.raw();
    await rawLogin(other);
    other.send('s SELECT renamed');
    expect(await other.readTagged('s')).toContain(`* OK [MAILBOXID (${created})] Ok`);
    const user = await h!.store.getUser('alice@example.com');
    const renamed = await h!.store.getMailbox(user!.id, 'renamed');
    expect(mailboxObjectId(renamed!)).toBe(created);
    // A deleted and re-created name is a new mailbox (RFC 8474 4.1).
    other.send('u UNSELECT');
    await other.readTagged('u');
    c.send('9 DELETE bar');
    await c.readTagged('9');
    c.send('10 CREATE bar');
    expect(idOf((await c.readTagged('10'))[0])).not.toBe(bar);
  });

  it('EMAILID is per content and kept by COPY/MOVE; THREADID per thread; SEARCH EMAILID finds it', async () => {
    const c = await loggedIn();
    await h!.deliver('alice@example.com', sampleMessage('one'), {
      internalDate: new Date('2024-01-01T00:00:00Z'),
    });
    await h!.deliver('alice@example.com', sampleMessage('two'), {
      internalDate: new Date('2024-01-01T00:00:00Z'),
    });
    c.send('s SELECT INBOX');
    await c.readTagged('s');
    c.send('a FETCH 1:2 (EMAILID THREADID)');
    const fetched = await c.readTagged('a');
    const ids = fetched.slice(0, 2).map((line) => /EMAILID \((M[0-9a-f]{24})\)/.exec(line)?.[1]);
    const threads = fetched.slice(0, 2).map((line) => /THREADID \((T[0-9a-f]{24})\)/.exec(line)?.[1]);
    // Two unrelated messages: two threads (commands/threadid.test.ts has threads of several).
    expect(fetched).toEqual([
      `* 1 FETCH (EMAILID (${ids[0]}) THREADID (${threads[0]}))`,
      `* 2 FETCH (EMAILID (${ids[1]}) THREADID (${threads[1]}))`,
      'a OK FETCH completed',
    ]);
    expect(ids[0]).not.toBe(ids[1]);
    expect(threads[0]).not.toBe(threads[1]);
    const user = await h!.store.getUser('alice@example.com');
    const inbox = await h!.store.getMailbox(user!.id, 'INBOX');
    const [first] = await h!.store.listMessages(inbox!.id);
    expect(ids[0]).toBe(emailObjectId(first!));
    // COPY and MOVE keep it (RFC 8474 5.1).
    c.send('b COPY 1 Archive');
    await c.readTagged('b');
    c.send('c MOVE 2 Archive');
    await c.readTagged('c');
    c.send('d SELECT Archive');
    await c.readTagged('d');
    c.send('e UID FETCH 1:* (EMAILID)');
    expect(await c.readTagged('e')).toEqual([
      `* 1 FETCH (UID 1 EMAILID (${ids[0]}))`,
      `* 2 FETCH (UID 2 EMAILID (${ids[1]}))`,
      'e OK UID FETCH completed',
    ]);
    // RFC 8474 6: SEARCH EMAILID / THREADID.
    c.send(`f SEARCH EMAILID ${ids[1]}`);
    expect(await c.readTagged('f')).toEqual(['* SEARCH 2', 'f OK SEARCH completed']);
    c.send('g UID SEARCH THREADID T1234');
    expect(await c.readTagged('g')).toEqual(['* SEARCH', 'g OK UID SEARCH completed']);
    c.send('h SEARCH EMAILID');
    expect(await c.readTagged('h')).toEqual([expect.stringMatching(/^h BAD /)]);
    // The same bytes appended with another internal date are another EMAILID.
    const again = await h!.deliver('alice@example.com', sampleMessage('one'), {
      mailbox: 'Archive',
      internalDate: new Date('2025-01-01T00:00:00Z'),
    });
    c.send('n NOOP');
    await c.readTagged('n');
    c.send(`i UID FETCH ${again} (EMAILID)`);
    const answered = await c.readTagged('i');
    const line = answered.find((response) => response.includes('EMAILID'));
    if (line === undefined) throw new Error(`no EMAILID in ${JSON.stringify(answered)} (uid ${again})`);
    expect(line).toMatch(/EMAILID \(M[0-9a-f]{24}\)/);
    expect(line).not.toContain(ids[0]!);
  });

  it('imapflow reads emailId, threadId and mailboxId', async () => {
    h = await startHarness();
    await h.deliver('alice@example.com', sampleMessage('one'));
    const client = await h.imapflow();
    const mailbox = await client.mailboxOpen('INBOX');
    const user = await h.store.getUser('alice@example.com');
    const inbox = await h.store.getMailbox(user!.id, 'INBOX');
    expect(mailbox.mailboxId).toBe(mailboxObjectId(inbox!));
    const message = await client.fetchOne('1', { emailId: true, threadId: true, uid: true });
    const [stored] = await h.store.listMessages(inbox!.id);
    expect(message).toMatchObject({ uid: 1, emailId: emailObjectId(stored!) });
    // RFC 8474 5.2: a real thread id now (object-id.ts), found again by SEARCH THREADID.
    const threadId = (message as { threadId?: string }).threadId;
    expect(threadId).toMatch(/^T[0-9a-f]{24}$/);
    expect(await client.search({ threadId })).toEqual([1]);
    expect(await client.search({ emailId: emailObjectId(stored!) })).toEqual([1]);
  });
});
