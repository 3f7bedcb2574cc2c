/**
 * Issue 12's single-client points, each as an exact raw transcript: MOVE into the selected
 * mailbox (RFC 6851), SEARCH FROM/TO/CC/BCC against the ENVELOPE form (RFC 3501 6.4.4), EXAMINE's
 * RECENT (RFC 3501 6.3.2), LIST (SUBSCRIBED RECURSIVEMATCH) CHILDINFO with several patterns
 * (RFC 5258 3.5), the keyword announcement of a .SILENT STORE (RFC 3501 7.2.6), ENABLE of what
 * is implemented only (RFC 5161 3.1), and the read-only refusals of the gate (RFC 3501 6.3.2).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RawClient } from '@minimail/protocol/testing';
import { RawClient as Raw } from '@minimail/protocol/testing';
import { createImapServer } from '../server.js';
import {
  rawLogin,
  sampleMessage,
  silentLogger,
  startHarness,
  testCertificate,
  type Harness,
} from '../test-support/harness.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

async function loggedIn(messages: string[] = []): Promise<{ c: RawClient; uidValidity: number }> {
  h = await startHarness();
  for (const message of messages) await h.deliver('alice@example.com', message);
  const user = await h.store.ensureUser('alice@example.com');
  const inbox = (await h.store.getMailbox(user.id, 'INBOX'))!;
  const c = await h.raw();
  await rawLogin(c);
  return { c, uidValidity: inbox.uidValidity };
}

describe('MOVE into the selected mailbox (RFC 6851)', () => {
  it('answers COPYUID, then the EXPUNGEs, then EXISTS for the copies', async () => {
    const { c, uidValidity } = await loggedIn([sampleMessage('a'), sampleMessage('b'), sampleMessage('c')]);
    c.send('s SELECT INBOX');
    await c.readTagged('s');
    c.send('m MOVE 1:2 INBOX');
    expect(await c.readTagged('m')).toEqual([
      `* OK [COPYUID ${uidValidity} 1:2 4:5] Moved`,
      '* 1 EXPUNGE',
      '* 1 EXPUNGE',
      '* 3 EXISTS',
      // UID 3 was \Recent since SELECT; the two copies are new, and recent here too.
      '* 3 RECENT',
      'm OK MOVE completed',
    ]);
    c.send('f FETCH 1:* (UID)');
    expect(await c.readTagged('f')).toEqual([
      '* 1 FETCH (UID 3)',
      '* 2 FETCH (UID 4)',
      '* 3 FETCH (UID 5)',
      'f OK FETCH completed',
    ]);
  });
});

describe('SEARCH FROM/TO/CC/BCC (RFC 3501 6.4.4)', () => {
  it('matches the address as the ENVELOPE shows it, comments and spaces removed', async () => {
    const odd = [
      'From: <user-from (comment)@ (comment) domain.org>',
      'To: "Team" <team (x)@ lists.example>',
      'Cc: Carol <carol@example.net>',
      'Subject: odd',
      '',
      'x',
      '',
    ].join('\r\n');
    const { c } = await loggedIn([sampleMessage('plain'), odd]);
    c.send('s SELECT INBOX');
    await c.readTagged('s');
    c.send('a SEARCH FROM user-from@domain.org');
    expect(await c.readTagged('a')).toEqual(['* SEARCH 2', 'a OK SEARCH completed']);
    c.send('b SEARCH TO team@lists.example');
    expect(await c.readTagged('b')).toEqual(['* SEARCH 2', 'b OK SEARCH completed']);
    c.send('c SEARCH CC "Carol"');
    expect(await c.readTagged('c')).toEqual(['* SEARCH 2', 'c OK SEARCH completed']);
    // The header as written still matches too (the display name of the plain message).
    c.send('d SEARCH FROM "Bob Sender"');
    expect(await c.readTagged('d')).toEqual(['* SEARCH 1', 'd OK SEARCH completed']);
    c.send('e SEARCH BCC nobody');
    expect(await c.readTagged('e')).toEqual(['* SEARCH', 'e OK SEARCH completed']);
  });
});

describe('EXAMINE and \\Recent (RFC 3501 6.3.2, 2.3.2)', () => {
  it('EXAMINE reports RECENT as SELECT does without claiming it; SELECT then claims it once', async () => {
    const { c, uidValidity } = await loggedIn([sampleMessage('a'), sampleMessage('b')]);
    c.send('e EXAMINE INBOX');
    expect(await c.readTagged('e')).toEqual([
      '* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft)',
      '* OK [PERMANENTFLAGS ()] Flags permitted',
      '* 2 EXISTS',
      '* 2 RECENT',
      '* OK [UNSEEN 1] Message 1 is first unseen',
      `* OK [UIDVALIDITY ${uidValidity}] UIDs valid`,
      '* OK [UIDNEXT 3] Predicted next UID',
      '* OK [HIGHESTMODSEQ 3] Highest',
      expect.stringMatching(/^\* OK \[MAILBOXID \(F[0-9a-f]{24}\)\] Ok$/),
      'e OK [READ-ONLY] EXAMINE completed',
    ]);
    c.send('f FETCH 1 (FLAGS)');
    expect(await c.readTagged('f')).toEqual(['* 1 FETCH (FLAGS ())', 'f OK FETCH completed']);
    c.send('s SELECT INBOX');
    expect(await c.readTagged('s')).toContain('* 2 RECENT');
    c.send('t EXAMINE INBOX');
    expect(await c.readTagged('t')).toContain('* 0 RECENT');
  });

  it('a new message is \\Recent in one session only, also across two listeners (143 and 993)', async () => {
    const { c } = await loggedIn();
    const tls = createImapServer({
      store: h!.store,
      logger: silentLogger,
      hostname: 'imap.test',
      profile: 'dev',
      tls: await testCertificate(),
      implicitTls: true,
    });
    const port = await tls.listen(0, '127.0.0.1');
    try {
      const d = await Raw.connect(port, { tls: true });
      try {
        await rawLogin(d);
        c.send('s SELECT INBOX');
        await c.readTagged('s');
        d.send('s SELECT INBOX');
        await d.readTagged('s');
        await h!.deliver('alice@example.com', sampleMessage('new'));
        c.send('n NOOP');
        expect(await c.readTagged('n')).toEqual(['* 1 EXISTS', '* 1 RECENT', 'n OK NOOP completed']);
        d.send('n NOOP');
        expect(await d.readTagged('n')).toEqual(['* 1 EXISTS', '* 0 RECENT', 'n OK NOOP completed']);
      } finally {
        await d.close();
      }
    } finally {
      await tls.close();
    }
  });

  it('the gate refuses changes to a read-only mailbox with NO [READ-ONLY]', async () => {
    const { c } = await loggedIn([sampleMessage('a')]);
    c.send('e EXAMINE INBOX');
    await c.readTagged('e');
    for (const [tag, command] of [
      ['a', 'STORE 1 +FLAGS (\\Seen)'],
      ['b', 'EXPUNGE'],
      ['c', 'UID EXPUNGE 1'],
      ['d', 'MOVE 1 Trash'],
    ] as const) {
      c.send(`${tag} ${command}`);
      expect(await c.readTagged(tag)).toEqual([`${tag} NO [READ-ONLY] Mailbox is read-only`]);
    }
    c.send('f COPY 1 Trash');
    expect(await c.readTagged('f')).toEqual([
      expect.stringMatching(/^f OK \[COPYUID \d+ 1 1\] COPY completed$/),
    ]);
  });
});

describe('keywords are listed before they are used (RFC 3501 7.2.6)', () => {
  it('a .SILENT STORE of a new keyword still updates FLAGS and PERMANENTFLAGS', async () => {
    const { c } = await loggedIn([sampleMessage('a')]);
    c.send('s SELECT INBOX');
    await c.readTagged('s');
    c.send('a STORE 1 +FLAGS.SILENT ($Todo)');
    expect(await c.readTagged('a')).toEqual([
      '* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $Todo)',
      '* OK [PERMANENTFLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $Todo \\*)] Flags permitted',
      'a OK STORE completed',
    ]);
  });
});

describe('ENABLE (RFC 5161 3.1)', () => {
  it('enables CONDSTORE, QRESYNC, UTF8=ACCEPT and IMAP4rev2 and leaves out what is unknown', async () => {
    const { c } = await loggedIn();
    c.send('a ENABLE QRESYNC UTF8=ACCEPT IMAP4rev2 CONDSTORE X-UNKNOWN');
    expect(await c.readTagged('a')).toEqual([
      '* ENABLED QRESYNC UTF8=ACCEPT IMAP4rev2 CONDSTORE',
      'a OK ENABLE completed',
    ]);
  });
});

describe('LIST (SUBSCRIBED RECURSIVEMATCH) with several patterns (RFC 5258 3.5)', () => {
  it('gives CHILDINFO to a parent only when its subscribed child is not itself returned', async () => {
    const { c } = await loggedIn();
    for (const [tag, command] of [
      ['a', 'CREATE Work/Reports'],
      ['b', 'CREATE Home/Bills'],
      ['c', 'SUBSCRIBE Work/Reports'],
      ['d', 'SUBSCRIBE Home/Bills'],
      ['e', 'UNSUBSCRIBE Work'],
      ['f', 'UNSUBSCRIBE Home'],
    ] as const) {
      c.send(`${tag} ${command}`);
      await c.expect(new RegExp(`^${tag} OK `));
    }
    c.send('g LIST (SUBSCRIBED RECURSIVEMATCH) "" ("Work" "Work/Reports" "Home")');
    expect(await c.readTagged('g')).toEqual([
      '* LIST (\\HasChildren) "/" "Home" ("CHILDINFO" ("SUBSCRIBED"))',
      '* LIST (\\HasNoChildren \\Subscribed) "/" "Work/Reports"',
      'g OK LIST completed',
    ]);
  });
});

describe('subscriptions are a list of names (RFC 3501 6.3.6, RFC 9051 6.3.7, RFC 5258)', () => {
  it('CREATE subscribes nothing, DELETE keeps the name, LIST shows \\NonExistent and LSUB \\Noselect', async () => {
    const { c } = await loggedIn();
    // A new account's default mailboxes start subscribed.
    c.send('a LSUB "" "*"');
    expect(await c.readTagged('a')).toEqual([
      '* LSUB () "/" "Archive"',
      '* LSUB () "/" "Drafts"',
      '* LSUB () "/" "INBOX"',
      '* LSUB () "/" "Junk"',
      '* LSUB () "/" "Sent"',
      '* LSUB () "/" "Trash"',
      'a OK LSUB completed',
    ]);
    c.send('b CREATE Projects/Alpha');
    await c.expect(/^b OK \[MAILBOXID \(F[0-9a-f]{24}\)\] CREATE completed$/);
    c.send('c LIST (SUBSCRIBED) "" "Projects*"');
    expect(await c.readTagged('c')).toEqual(['c OK LIST completed']);
    c.send('d SUBSCRIBE Projects/Alpha');
    await c.expect('d OK SUBSCRIBE completed');
    c.send('e DELETE Projects/Alpha');
    await c.expect('e OK DELETE completed');
    c.send('f LIST (SUBSCRIBED) "" "Projects*"');
    expect(await c.readTagged('f')).toEqual([
      '* LIST (\\NonExistent \\Subscribed) "/" "Projects/Alpha"',
      'f OK LIST completed',
    ]);
    c.send('g LSUB "" "Projects/*"');
    expect(await c.readTagged('g')).toEqual([
      '* LSUB (\\Noselect) "/" "Projects/Alpha"',
      'g OK LSUB completed',
    ]);
    // A name that never had a mailbox can be subscribed and unsubscribed.
    c.send('h SUBSCRIBE Someday');
    await c.expect('h OK SUBSCRIBE completed');
    c.send('i UNSUBSCRIBE Someday');
    await c.expect('i OK UNSUBSCRIBE completed');
    c.send('j UNSUBSCRIBE Projects/Alpha');
    await c.expect('j OK UNSUBSCRIBE completed');
    c.send('k LSUB "" "S*"');
    expect(await c.readTagged('k')).toEqual(['* LSUB () "/" "Sent"', 'k OK LSUB completed']);
  });
});

describe('a message expunged by another session while FETCH reads it (RFC 3501 7.4.1)', () => {
  it('is answered from the bytes in hand, not NO, when its body goes between the body and structure reads', async () => {
    let inbox = 0;
    h = await startHarness({
      // Another session expunges message 2 (and the store drops its body) right after FETCH read
      // its bytes and before the structure is read: the real store, the expunge run at that moment.
      wrapStore: (store) =>
        new Proxy(store, {
          get(target, property, receiver) {
            if (property !== 'readBody') return Reflect.get(target, property, receiver);
            return async (bodyHash: string) => {
              const raw = await target.readBody(bodyHash);
              const second = await target.getMessage(inbox, 2);
              if (second?.bodyHash === bodyHash) await target.expunge(inbox, [2]);
              return raw;
            };
          },
        }),
    });
    for (const subject of ['a', 'b', 'c']) await h.deliver('alice@example.com', sampleMessage(subject));
    const user = await h.store.ensureUser('alice@example.com');
    inbox = (await h.store.getMailbox(user.id, 'INBOX'))!.id;
    const c = await h.raw();
    await rawLogin(c);
    c.send('s SELECT INBOX');
    await c.readTagged('s');
    c.send('f FETCH 1:3 (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])');
    const lines = await c.readTagged('f');
    expect(lines.filter((line) => line.startsWith('* ')).map((line) => line.slice(0, 16))).toEqual([
      '* 1 FETCH (UID 1',
      '* 2 FETCH (UID 2',
      '* 3 FETCH (UID 3',
    ]);
    expect(lines.at(-1)).toBe('f OK FETCH completed');
    c.send('n NOOP');
    expect(await c.readTagged('n')).toEqual(['* 2 EXPUNGE', 'n OK NOOP completed']);
  });
});
