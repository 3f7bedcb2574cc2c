/**
 * RFC 5819 LIST-STATUS: `LIST ... RETURN (STATUS (...))` answers a STATUS line after the LIST line
 * of each selectable mailbox, none for \Noselect or \NonExistent names; the RFC's example, the
 * items (RFC 7162 HIGHESTMODSEQ, RFC 8474 MAILBOXID), the errors, and imapflow's use of it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mailboxObjectId } from '../object-id.js';
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

describe('LIST-STATUS (RFC 5819)', () => {
  it('the RFC 5819 example shape: LIST then STATUS for each mailbox, none for \\Noselect', async () => {
    const c = await loggedIn();
    await h!.deliver('alice@example.com', sampleMessage('one'));
    await h!.deliver('alice@example.com', sampleMessage('two'), { flags: ['\\Seen'] });
    c.send('a CREATE Fruit/Apple');
    await c.readTagged('a');
    c.send('b DELETE Fruit');
    await c.readTagged('b');
    c.send('c LIST "" % RETURN (STATUS (MESSAGES UNSEEN))');
    expect(await c.readTagged('c')).toEqual([
      '* LIST (\\HasNoChildren) "/" "INBOX"',
      '* STATUS "INBOX" (MESSAGES 2 UNSEEN 1)',
      '* LIST (\\HasNoChildren \\Archive) "/" "Archive"',
      '* STATUS "Archive" (MESSAGES 0 UNSEEN 0)',
      '* LIST (\\HasNoChildren \\Drafts) "/" "Drafts"',
      '* STATUS "Drafts" (MESSAGES 0 UNSEEN 0)',
      '* LIST (\\Noselect \\HasChildren) "/" "Fruit"',
      '* LIST (\\HasNoChildren \\Junk) "/" "Junk"',
      '* STATUS "Junk" (MESSAGES 0 UNSEEN 0)',
      '* LIST (\\HasNoChildren \\Sent) "/" "Sent"',
      '* STATUS "Sent" (MESSAGES 0 UNSEEN 0)',
      '* LIST (\\HasNoChildren \\Trash) "/" "Trash"',
      '* STATUS "Trash" (MESSAGES 0 UNSEEN 0)',
      'c OK LIST completed',
    ]);
  });

  it('combines with selection and other return options; every STATUS item, MAILBOXID included', async () => {
    const c = await loggedIn();
    const user = await h!.store.ensureUser('alice@example.com');
    const sent = await h!.store.getMailbox(user.id, 'Sent');
    c.send(
      'a LIST (SPECIAL-USE) "" "S*" RETURN (SUBSCRIBED STATUS (UIDNEXT UIDVALIDITY RECENT HIGHESTMODSEQ MAILBOXID))',
    );
    expect(await c.readTagged('a')).toEqual([
      '* LIST (\\HasNoChildren \\Subscribed \\Sent) "/" "Sent"',
      `* STATUS "Sent" (UIDNEXT 1 UIDVALIDITY ${sent!.uidValidity} RECENT 0 HIGHESTMODSEQ ${sent!.highestModseq} MAILBOXID (${mailboxObjectId(sent!)}))`,
      'a OK LIST completed',
    ]);
    // A subscribed name with no mailbox is \NonExistent: no STATUS for it.
    c.send('b SUBSCRIBE Ghost');
    await c.readTagged('b');
    c.send('c LIST (SUBSCRIBED) "" "G*" RETURN (STATUS (MESSAGES))');
    expect(await c.readTagged('c')).toEqual([
      '* LIST (\\NonExistent \\Subscribed) "/" "Ghost"',
      'c OK LIST completed',
    ]);
    // Modified UTF-7 names are the same in both lines.
    c.send('d CREATE "Entw&APw-rfe"');
    await c.readTagged('d');
    c.send('e LIST "" "Entw*" RETURN (STATUS (MESSAGES))');
    expect(await c.readTagged('e')).toEqual([
      '* LIST (\\HasNoChildren) "/" "Entw&APw-rfe"',
      '* STATUS "Entw&APw-rfe" (MESSAGES 0)',
      'e OK LIST completed',
    ]);
  });

  it('the selected mailbox answers from the session view (RECENT as the session counts it)', async () => {
    const c = await loggedIn();
    await h!.deliver('alice@example.com', sampleMessage('one'));
    c.send('s SELECT INBOX');
    await c.readTagged('s');
    c.send('a LIST "" INBOX RETURN (STATUS (MESSAGES RECENT))');
    expect(await c.readTagged('a')).toEqual([
      '* LIST (\\HasNoChildren) "/" "INBOX"',
      '* STATUS "INBOX" (MESSAGES 1 RECENT 1)',
      'a OK LIST completed',
    ]);
  });

  it('syntax errors are BAD', async () => {
    const c = await loggedIn();
    for (const [tag, command] of [
      ['a', 'LIST "" % RETURN (STATUS)'],
      ['b', 'LIST "" % RETURN (STATUS ())'],
      ['c', 'LIST "" % RETURN (STATUS (MESSAGES FOO))'],
      ['d', 'LIST "" % RETURN (STATUS (MESSAGES) STATUS (UNSEEN))'],
    ]) {
      c.send(`${tag} ${command}`);
      expect(await c.readTagged(tag!)).toEqual([expect.stringMatching(new RegExp(`^${tag} BAD `))]);
    }
  });

  it('imapflow asks for STATUS with LIST and gets it', async () => {
    h = await startHarness();
    await h.deliver('alice@example.com', sampleMessage('one'));
    const client = await h.imapflow();
    expect(client.capabilities.has('LIST-STATUS')).toBe(true);
    const list = await client.list({ statusQuery: { messages: true, unseen: true, uidNext: true } });
    const inbox = list.find((entry) => entry.path === 'INBOX');
    expect(inbox?.status).toMatchObject({ messages: 1, unseen: 1, uidNext: 2 });
    const trash = list.find((entry) => entry.path === 'Trash');
    expect(trash?.status).toMatchObject({ messages: 0, unseen: 0, uidNext: 1 });
  });
});
