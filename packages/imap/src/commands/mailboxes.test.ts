/**
 * Mailbox commands: raw transcripts for exact LIST/LSUB/STATUS syntax and modified UTF-7 names,
 * imapflow for the same operations as a real client does them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { rawLogin, sampleMessage, startHarness, type Harness } from '../test-support/harness.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

async function loggedIn() {
  h = await startHarness();
  const c = await h.raw();
  await rawLogin(c);
  return c;
}

describe('LIST and LSUB', () => {
  it('lists the default mailboxes with CHILDREN and SPECIAL-USE attributes, INBOX first', async () => {
    const c = await loggedIn();
    c.send('a LIST "" "*"');
    expect(await c.readTagged('a')).toEqual([
      '* LIST (\\HasNoChildren) "/" "INBOX"',
      '* LIST (\\HasNoChildren \\Archive) "/" "Archive"',
      '* LIST (\\HasNoChildren \\Drafts) "/" "Drafts"',
      '* LIST (\\HasNoChildren \\Junk) "/" "Junk"',
      '* LIST (\\HasNoChildren \\Sent) "/" "Sent"',
      '* LIST (\\HasNoChildren \\Trash) "/" "Trash"',
      'a OK LIST completed',
    ]);
    c.send('b LIST "" ""');
    expect(await c.readTagged('b')).toEqual(['* LIST (\\Noselect) "/" ""', 'b OK LIST completed']);
    c.send('c LIST (SPECIAL-USE) "" "*" RETURN (SUBSCRIBED)');
    const special = await c.readTagged('c');
    expect(special).toContain('* LIST (\\HasNoChildren \\Subscribed \\Sent) "/" "Sent"');
    expect(special.filter((line) => line.includes('"INBOX"'))).toEqual([]);
  });

  it('% stops at the separator, * does not; references are prefixed; inbox matches in any case', async () => {
    const c = await loggedIn();
    for (const [tag, name] of [
      ['a', 'Work'],
      ['b', 'Work/2024'],
      ['c', 'Work/2024/Q1'],
    ]) {
      c.send(`${tag} CREATE ${name}`);
      await c.expect(new RegExp(`^${tag} OK \\[MAILBOXID \\(F[0-9a-f]{24}\\)\\] CREATE completed$`));
    }
    c.send('d LIST "" "Work/%"');
    expect(await c.readTagged('d')).toEqual([
      '* LIST (\\HasChildren) "/" "Work/2024"',
      'd OK LIST completed',
    ]);
    c.send('e LIST "Work" "*"');
    expect(await c.readTagged('e')).toEqual([
      '* LIST (\\HasChildren) "/" "Work/2024"',
      '* LIST (\\HasNoChildren) "/" "Work/2024/Q1"',
      'e OK LIST completed',
    ]);
    c.send('f LIST "" "inbox"');
    expect(await c.readTagged('f')).toEqual(['* LIST (\\HasNoChildren) "/" "INBOX"', 'f OK LIST completed']);
  });

  it('modified UTF-7 names round-trip (RFC 3501 5.1.3) and bad encodings are BAD', async () => {
    const c = await loggedIn();
    c.send('a CREATE "Entw&APw-rfe"');
    await c.expect(/^a OK \[MAILBOXID \(F[0-9a-f]{24}\)\] CREATE completed$/);
    c.send('b LIST "" "Entw*"');
    expect(await c.readTagged('b')).toEqual([
      '* LIST (\\HasNoChildren) "/" "Entw&APw-rfe"',
      'b OK LIST completed',
    ]);
    expect(
      await h!.store.getMailbox((await h!.store.getUser('alice@example.com'))!.id, 'Entwürfe'),
    ).not.toBeNull();
    // RFC 3501 5.1.3: valid astrings but not modified UTF-7: NO (BAD is for syntax).
    c.send('c CREATE "bad&name"');
    await c.expect('c NO Invalid mailbox name: unterminated "&" shift in mailbox name');
    c.send('d CREATE "Entwürfe2"');
    await c.expect('d NO Invalid mailbox name: mailbox name must be 7-bit printable (modified UTF-7)');
    // A LIST pattern that is not modified UTF-7 matches nothing: OK, no LIST lines.
    c.send('e LIST "" "bad&name*"');
    expect(await c.readTagged('e')).toEqual(['e OK LIST completed']);
    c.send('f LSUB "" "a&Jjo!-"');
    expect(await c.readTagged('f')).toEqual(['f OK LSUB completed']);
  });

  it('LSUB lists subscriptions; an unsubscribed parent shows as \\Noselect under %', async () => {
    const c = await loggedIn();
    c.send('a CREATE Lists/Node');
    await c.expect(/^a OK \[MAILBOXID \(F[0-9a-f]{24}\)\] CREATE completed$/);
    c.send('b SUBSCRIBE Lists/Node');
    await c.expect('b OK SUBSCRIBE completed');
    c.send('c UNSUBSCRIBE Lists');
    await c.expect('c OK UNSUBSCRIBE completed');
    c.send('d LSUB "" "Lists/*"');
    expect(await c.readTagged('d')).toEqual(['* LSUB () "/" "Lists/Node"', 'd OK LSUB completed']);
    c.send('e LSUB "" "L%"');
    expect(await c.readTagged('e')).toEqual(['* LSUB (\\Noselect) "/" "Lists"', 'e OK LSUB completed']);
  });
});

describe('LIST-EXTENDED (RFC 5258)', () => {
  it('SUBSCRIBED with RECURSIVEMATCH reports unsubscribed parents with CHILDINFO', async () => {
    const c = await loggedIn();
    c.send('a CREATE Team/Notes');
    await c.expect(/^a OK \[MAILBOXID \(F[0-9a-f]{24}\)\] CREATE completed$/);
    c.send('b UNSUBSCRIBE Team');
    await c.expect('b OK UNSUBSCRIBE completed');
    c.send('c SUBSCRIBE Team/Notes');
    await c.expect('c OK SUBSCRIBE completed');
    c.send('d LIST (SUBSCRIBED RECURSIVEMATCH) "" "Team"');
    expect(await c.readTagged('d')).toEqual([
      '* LIST (\\HasChildren) "/" "Team" ("CHILDINFO" ("SUBSCRIBED"))',
      'd OK LIST completed',
    ]);
    c.send('e LIST (SUBSCRIBED) "" "Team*"');
    expect(await c.readTagged('e')).toEqual([
      '* LIST (\\HasNoChildren \\Subscribed) "/" "Team/Notes"',
      'e OK LIST completed',
    ]);
  });
});

describe('CREATE, DELETE, RENAME, STATUS', () => {
  it('answers errors with RFC 5530 codes', async () => {
    const c = await loggedIn();
    c.send('a CREATE INBOX');
    await c.expect('a NO [ALREADYEXISTS] INBOX already exists');
    c.send('b CREATE Sent');
    await c.expect('b NO [ALREADYEXISTS] Mailbox already exists');
    c.send('c DELETE Nope');
    await c.expect('c NO [NONEXISTENT] No such mailbox');
    c.send('d DELETE INBOX');
    await c.expect('d NO [CANNOT] Operation not permitted on this mailbox');
    c.send('e STATUS Nope (MESSAGES)');
    await c.expect('e NO [NONEXISTENT] No such mailbox');
    c.send('f SELECT Nope');
    await c.expect('f NO [NONEXISTENT] No such mailbox');
  });

  it('DELETE of a parent keeps it as \\Noselect; RENAME moves children; RENAME INBOX moves its messages', async () => {
    const c = await loggedIn();
    await h!.deliver('alice@example.com', sampleMessage('kept'));
    c.send('a CREATE Parent/Child');
    await c.expect(/^a OK \[MAILBOXID \(F[0-9a-f]{24}\)\] CREATE completed$/);
    c.send('b DELETE Parent');
    await c.expect('b OK DELETE completed');
    c.send('c LIST "" "Parent*"');
    expect(await c.readTagged('c')).toEqual([
      '* LIST (\\Noselect \\HasChildren) "/" "Parent"',
      '* LIST (\\HasNoChildren) "/" "Parent/Child"',
      'c OK LIST completed',
    ]);
    c.send('d RENAME Parent/Child Other/Child');
    await c.expect('d OK RENAME completed');
    c.send('e RENAME INBOX Old');
    await c.expect('e OK RENAME completed');
    c.send('f STATUS Old (MESSAGES UIDNEXT)');
    await c.expect('* STATUS "Old" (MESSAGES 1 UIDNEXT 2)');
    await c.expect('f OK STATUS completed');
    c.send('g STATUS INBOX (MESSAGES UNSEEN)');
    await c.expect('* STATUS "INBOX" (MESSAGES 0 UNSEEN 0)');
    await c.expect('g OK STATUS completed');
  });

  it('STATUS reports every item in the order asked', async () => {
    const c = await loggedIn();
    await h!.deliver('alice@example.com', sampleMessage('one'));
    await h!.deliver('alice@example.com', sampleMessage('two'), { flags: ['\\Seen'] });
    const inbox = await h!.store.getMailbox((await h!.store.getUser('alice@example.com'))!.id, 'INBOX');
    c.send('a STATUS inbox (UIDVALIDITY UNSEEN MESSAGES UIDNEXT RECENT)');
    await c.expect(
      `* STATUS "INBOX" (UIDVALIDITY ${inbox!.uidValidity} UNSEEN 1 MESSAGES 2 UIDNEXT 3 RECENT 2)`,
    );
    await c.expect('a OK STATUS completed');
  });
});

describe('with imapflow', () => {
  it('creates, lists, renames, subscribes and deletes mailboxes', async () => {
    h = await startHarness();
    const client = await h.imapflow();
    await client.mailboxCreate(['Projects', 'Alpha']);
    await client.mailboxRename('Projects/Alpha', 'Projects/Beta');
    await client.mailboxSubscribe('Projects/Beta');
    const list = await client.list();
    const byPath = new Map(list.map((entry) => [entry.path, entry]));
    expect(byPath.get('Sent')?.specialUse).toBe('\\Sent');
    expect(byPath.get('Trash')?.specialUse).toBe('\\Trash');
    expect(byPath.get('Projects/Beta')?.subscribed).toBe(true);
    expect(byPath.has('Projects/Alpha')).toBe(false);
    const status = await client.status('INBOX', { messages: true, unseen: true, uidNext: true });
    expect(status).toMatchObject({ path: 'INBOX', messages: 0, unseen: 0, uidNext: 1 });
    await client.mailboxUnsubscribe('Projects/Beta');
    expect((await client.list()).find((entry) => entry.path === 'Projects/Beta')?.subscribed).toBeFalsy();
    await client.mailboxDelete('Projects/Beta');
    expect((await client.list()).some((entry) => entry.path === 'Projects/Beta')).toBe(false);
  });
});
