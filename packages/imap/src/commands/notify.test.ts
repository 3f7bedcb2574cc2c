/**
 * RFC 5465 NOTIFY over a real server and a real SQLite file, as raw transcripts: the command's
 * forms and errors, notifications between commands (no IDLE) for the selected mailbox and STATUS
 * for others when another client or a delivery changes them, LIST for mailbox names and
 * subscriptions (also from another process), overflow.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { RawClient } from '@minimail/protocol/testing';
import {
  rawLogin,
  sampleMessage,
  startHarness,
  type Harness,
  type HarnessOptions,
} from '../test-support/harness.js';

const USER = 'alice@example.com';
const BADEVENT = '[BADEVENT (MessageNew MessageExpunge FlagChange MailboxName SubscriptionChange)]';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

async function start(options: HarnessOptions = {}): Promise<Harness> {
  h = await startHarness(options);
  await h.store.ensureUser(USER);
  return h;
}

async function client(harness: Harness, select: string | null = 'INBOX'): Promise<RawClient> {
  const c = await harness.raw();
  await rawLogin(c);
  if (select !== null) {
    c.send(`S1 SELECT ${select}`);
    await c.readTagged('S1');
  }
  return c;
}

async function uidValidity(harness: Harness, name: string): Promise<number> {
  const user = await harness.store.getUser(USER);
  return (await harness.store.getMailbox(user!.id, name))!.uidValidity;
}

/** Nothing was pushed: the next line is the answer to a NOOP (which may itself carry updates). */
async function noopLines(c: RawClient, tag = 'n'): Promise<string[]> {
  c.send(`${tag} NOOP`);
  return c.readTagged(tag);
}

describe('NOTIFY command forms and errors', () => {
  it('answers BAD for broken grammar, unknown filters and forbidden event combinations', async () => {
    const harness = await start();
    const c = await client(harness, null);
    const cases: Array<[string, RegExp]> = [
      ['NOTIFY', /^a BAD /],
      ['NOTIFY SET', /^a BAD /],
      ['NOTIFY MAYBE', /^a BAD /],
      ['NOTIFY SET (everything MessageNew MessageExpunge)', /^a BAD .*Unknown mailbox filter/],
      ['NOTIFY SET (subtree)', /^a BAD /],
      ['NOTIFY SET (selected ())', /^a BAD /],
      ['NOTIFY SET (personal MessageNew MessageExpunge', /^a BAD /],
      ['NOTIFY SET (selected MessageNew)', /^a BAD MessageNew and MessageExpunge must be given together$/],
      [
        'NOTIFY SET (personal (MessageExpunge))',
        /^a BAD MessageNew and MessageExpunge must be given together$/,
      ],
      ['NOTIFY SET (personal (FlagChange))', /^a BAD FlagChange needs MessageNew and MessageExpunge$/],
      [
        'NOTIFY SET (selected (MessageNew MessageExpunge)) (selected-delayed (MessageNew MessageExpunge))',
        /^a BAD selected or selected-delayed given more than once$/,
      ],
      [
        'NOTIFY SET (inboxes (MessageNew (UID) MessageExpunge))',
        /^a BAD MessageNew fetch attributes are only for selected or selected-delayed$/,
      ],
    ];
    for (const [command, expected] of cases) {
      c.send(`a ${command}`);
      const lines = await c.readTagged('a');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(expected);
    }
  });

  it('answers NO [BADEVENT (the supported events)] for METADATA, ANNOTATE and unknown events', async () => {
    const harness = await start();
    const c = await client(harness, null);
    const commands = [
      'NOTIFY SET (selected (MessageNew MessageExpunge AnnotationChange))',
      'NOTIFY SET (personal (MailboxMetadataChange))',
      'NOTIFY SET (personal (ServerMetadataChange))',
      'NOTIFY SET (personal (MailboxName XFuture))',
    ];
    const unsupported = ['AnnotationChange', 'MailboxMetadataChange', 'ServerMetadataChange', 'XFuture'];
    for (const [index, command] of commands.entries()) {
      c.send(`b ${command}`);
      expect(await c.readTagged('b')).toEqual([`b NO ${BADEVENT} Unsupported event ${unsupported[index]}`]);
    }
  });

  it('accepts NOTIFY NONE and event groups with NONE', async () => {
    const harness = await start();
    const c = await client(harness, null);
    c.send('a NOTIFY NONE');
    expect(await c.readTagged('a')).toEqual(['a OK NOTIFY completed']);
    c.send('b NOTIFY SET (selected NONE) (personal NONE)');
    expect(await c.readTagged('b')).toEqual(['b OK NOTIFY completed']);
    // Not before login (RFC 5465 3: authenticated and selected states).
    const anon = await harness.raw();
    await anon.expect(/^\* OK /);
    anon.send('z NOTIFY NONE');
    expect(await anon.readTagged('z')).toEqual([expect.stringMatching(/^z (BAD|NO) /)]);
  });
});

describe('RFC 5465 examples', () => {
  it('NOTIFY SET STATUS (selected MessageNew (uid body.peek[header.fields (from to subject)]) MessageExpunge) (subtree Lists ...)', async () => {
    const harness = await start();
    const user = (await harness.store.getUser(USER))!;
    await harness.store.createMailbox(user.id, 'Lists');
    await harness.store.createMailbox(user.id, 'Lists/Lemonade');
    await harness.deliver(USER, sampleMessage('list one'), { mailbox: 'Lists/Lemonade' });
    await harness.deliver(USER, sampleMessage('inbox one'));
    const c = await client(harness);
    const lists = await uidValidity(harness, 'Lists');
    const lemonade = await uidValidity(harness, 'Lists/Lemonade');
    c.send(
      'a NOTIFY SET STATUS (selected MessageNew (uid body.peek[header.fields (from to subject)]) MessageExpunge) (subtree Lists MessageNew MessageExpunge)',
    );
    expect(await c.readTagged('a')).toEqual([
      `* STATUS "Lists" (MESSAGES 0 UIDNEXT 1 UIDVALIDITY ${lists})`,
      `* STATUS "Lists/Lemonade" (MESSAGES 1 UIDNEXT 2 UIDVALIDITY ${lemonade})`,
      'a OK NOTIFY completed',
    ]);
    // A delivery to the selected mailbox: EXISTS, then the asked-for FETCH, with no command sent.
    await harness.deliver(USER, sampleMessage('inbox two'));
    expect(await c.readLine()).toBe('* 2 EXISTS');
    expect(await c.readLine()).toBe('* 2 RECENT');
    const header =
      'From: Bob Sender <bob@example.org>\r\nTo: Alice <alice@example.com>\r\nSubject: inbox two\r\n\r\n';
    expect(await c.readLine()).toBe(
      `* 2 FETCH (UID 2 BODY[HEADER.FIELDS (FROM TO SUBJECT)] {${Buffer.byteLength(header)}}`,
    );
    expect(await c.readUntil((line) => line === ')')).toEqual([
      'From: Bob Sender <bob@example.org>',
      'To: Alice <alice@example.com>',
      'Subject: inbox two',
      '',
      ')',
    ]);
    // A delivery to a mailbox of the subtree: its STATUS.
    await harness.deliver(USER, sampleMessage('list two'), { mailbox: 'Lists/Lemonade' });
    expect(await c.readLine()).toBe(
      `* STATUS "Lists/Lemonade" (MESSAGES 2 UIDNEXT 3 UIDVALIDITY ${lemonade})`,
    );
    // The notification did not set \Seen (BODY.PEEK).
    expect(await noopLines(c)).toEqual(['n OK NOOP completed']);
    c.send('f FETCH 2 FLAGS');
    expect(await c.readTagged('f')).toEqual(['* 2 FETCH (FLAGS (\\Recent))', 'f OK FETCH completed']);
  });

  it('NOTIFY SET (selected MessageNew MessageExpunge FlagChange) (personal MessageNew MessageExpunge FlagChange MailboxName SubscriptionChange), then NOTIFY NONE', async () => {
    const harness = await start();
    await harness.deliver(USER, sampleMessage('one'));
    await harness.deliver(USER, sampleMessage('two'));
    const c = await client(harness);
    c.send(
      'a NOTIFY SET (selected (MessageNew MessageExpunge FlagChange)) (personal (MessageNew MessageExpunge FlagChange MailboxName SubscriptionChange))',
    );
    expect(await c.readTagged('a')).toEqual(['a OK NOTIFY completed']);
    const other = await harness.imapflow();
    await other.mailboxOpen('INBOX');
    // FlagChange and MessageExpunge for the selected mailbox, pushed without a command.
    await other.messageFlagsAdd('1', ['\\Flagged'], { uid: true });
    expect(await c.readLine()).toBe('* 1 FETCH (FLAGS (\\Flagged \\Recent))');
    await other.messageDelete('1', { uid: true });
    expect(await c.readUntil(/EXPUNGE$/)).toEqual(expect.arrayContaining(['* 1 EXPUNGE']));
    // Another mailbox: STATUS, with HIGHESTMODSEQ once CONDSTORE is enabled.
    c.send('e ENABLE CONDSTORE');
    await c.readTagged('e');
    await other.append('Sent', sampleMessage('sent one'));
    const sent = await uidValidity(harness, 'Sent');
    expect(await c.readLine()).toMatch(
      new RegExp(`^\\* STATUS "Sent" \\(MESSAGES 1 UIDNEXT 2 UIDVALIDITY ${sent} HIGHESTMODSEQ \\d+\\)$`),
    );
    // NOTIFY NONE: nothing more is pushed; NOOP still tells the selected mailbox (RFC 3501).
    c.send('z NOTIFY NONE');
    expect(await c.readTagged('z')).toEqual(['z OK NOTIFY completed']);
    await other.append('Sent', sampleMessage('sent two'));
    await harness.deliver(USER, sampleMessage('three'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const lines = await noopLines(c);
    expect(lines.filter((line) => line.includes('STATUS'))).toEqual([]);
    expect(lines).toContain('* 2 EXISTS');
  });
});

describe('the selected mailbox', () => {
  it('selected-delayed holds EXPUNGE back until a command that may carry it', async () => {
    const harness = await start();
    for (const subject of ['1', '2']) await harness.deliver(USER, sampleMessage(subject));
    const c = await client(harness);
    c.send('a NOTIFY SET (selected-delayed (MessageNew MessageExpunge FlagChange))');
    expect(await c.readTagged('a')).toEqual(['a OK NOTIFY completed']);
    const other = await harness.imapflow();
    await other.mailboxOpen('INBOX');
    await other.messageDelete('1', { uid: true });
    await other.messageFlagsAdd('2', ['\\Seen'], { uid: true });
    // The flag changes are pushed; the EXPUNGE is not (sequence numbers stay put between commands).
    // (Message 1's \Deleted is told only if its push came before the expunge was seen.)
    const pushed = await c.readUntil(/^\* 2 FETCH/);
    expect(pushed.at(-1)).toBe('* 2 FETCH (FLAGS (\\Seen \\Recent))');
    expect(pushed.slice(0, -1).every((line) => line === '* 1 FETCH (FLAGS (\\Deleted \\Recent))')).toBe(true);
    // RFC 3501 7.4.1: not during FETCH either.
    c.send('f FETCH 1 UID');
    expect(await c.readTagged('f')).toEqual(['f OK FETCH completed']);
    expect(await noopLines(c)).toEqual(['* 1 EXPUNGE', 'n OK NOOP completed']);
  });

  it('without FlagChange, flag changes wait for the next command', async () => {
    const harness = await start();
    await harness.deliver(USER, sampleMessage('1'));
    const c = await client(harness);
    c.send('a NOTIFY SET (selected (MessageNew MessageExpunge))');
    await c.readTagged('a');
    const other = await harness.imapflow();
    await other.mailboxOpen('INBOX');
    await other.messageFlagsAdd('1', ['\\Answered'], { uid: true });
    await harness.deliver(USER, sampleMessage('2'));
    // The delivery is pushed, the flag change is not.
    expect(await c.readLine()).toBe('* 2 EXISTS');
    expect(await c.readLine()).toBe('* 2 RECENT');
    expect(await noopLines(c)).toEqual(['* 1 FETCH (FLAGS (\\Answered \\Recent))', 'n OK NOOP completed']);
  });

  it('a message delivered while IDLE with NOTIFY reaches the client as in IDLE', async () => {
    const harness = await start();
    const c = await client(harness);
    c.send(
      'a NOTIFY SET (selected (MessageNew (UID FLAGS) MessageExpunge)) (inboxes (MessageNew MessageExpunge))',
    );
    await c.readTagged('a');
    c.send('i IDLE');
    await c.expect('+ idling');
    await harness.deliver(USER, sampleMessage('idle'));
    expect(await c.readLine()).toBe('* 1 EXISTS');
    expect(await c.readLine()).toBe('* 1 RECENT');
    expect(await c.readLine()).toBe('* 1 FETCH (UID 1 FLAGS (\\Recent))');
    c.send('DONE');
    expect(await c.readTagged('i')).toEqual(['i OK IDLE terminated']);
  });
});

describe('mailbox names and subscriptions', () => {
  it('tells CREATE, RENAME (OLDNAME), DELETE, SUBSCRIBE and UNSUBSCRIBE of another session as LIST', async () => {
    const harness = await start();
    const c = await client(harness, null);
    c.send('a NOTIFY SET (personal (MailboxName SubscriptionChange))');
    expect(await c.readTagged('a')).toEqual(['a OK NOTIFY completed']);
    const other = await client(harness, null);
    const run = async (command: string): Promise<void> => {
      other.send(`o ${command}`);
      expect((await other.readTagged('o')).at(-1)).toMatch(/^o OK /);
    };
    await run('CREATE Projects');
    expect(await c.readLine()).toBe('* LIST (\\HasNoChildren) "/" "Projects"');
    await run('RENAME Projects Work');
    expect(await c.readLine()).toBe('* LIST (\\HasNoChildren) "/" "Work" ("OLDNAME" ("Projects"))');
    await run('SUBSCRIBE Work');
    expect(await c.readLine()).toBe('* LIST (\\Subscribed \\HasNoChildren) "/" "Work"');
    await run('UNSUBSCRIBE Work');
    expect(await c.readLine()).toBe('* LIST (\\HasNoChildren) "/" "Work"');
    await run('DELETE Work');
    expect(await c.readLine()).toBe('* LIST (\\NonExistent) "/" "Work"');
    // The session that made a change hears of it too, before its tagged OK.
    c.send('b CREATE Mine');
    expect(await c.readTagged('b')).toEqual([
      '* LIST (\\HasNoChildren) "/" "Mine"',
      expect.stringMatching(/^b OK \[MAILBOXID \(F[0-9a-f]+\)\] CREATE completed$/),
    ]);
  });

  it('a filter that does not match hears nothing; mailboxes/subtree follow names', async () => {
    const harness = await start();
    const c = await client(harness, null);
    c.send('a NOTIFY SET (mailboxes (Notes) (MailboxName)) (subtree Lists (MailboxName))');
    await c.readTagged('a');
    const other = await client(harness, null);
    for (const command of ['CREATE Elsewhere', 'CREATE Notes', 'CREATE Lists/IETF']) {
      other.send(`o ${command}`);
      expect((await other.readTagged('o')).at(-1)).toMatch(/^o OK /);
    }
    expect(await c.readLine()).toBe('* LIST (\\HasNoChildren) "/" "Notes"');
    // CREATE makes the missing parent too (RFC 3501 6.3.3): both are in the subtree.
    expect((await c.readUntil(/IETF/)).sort()).toEqual([
      '* LIST (\\HasChildren) "/" "Lists"',
      '* LIST (\\HasNoChildren) "/" "Lists/IETF"',
    ]);
    expect(await noopLines(c)).toEqual(['n OK NOOP completed']);
  });

  it('hears a mailbox created by another process', async () => {
    const harness = await start();
    const c = await client(harness, null);
    c.send('a NOTIFY SET (personal (MailboxName))');
    await c.readTagged('a');
    await inChildProcess(
      harness,
      `const user = await store.getUser(${JSON.stringify(USER)});\nawait store.createMailbox(user.id, 'FromAfar');`,
    );
    expect(await c.readLine(10_000)).toBe('* LIST (\\HasNoChildren) "/" "FromAfar"');
  });
});

describe('other mailboxes and other processes', () => {
  it('STATUS when another process delivers and deletes (POP3-style) in a watched mailbox', async () => {
    const harness = await start();
    await harness.deliver(USER, sampleMessage('one'), { mailbox: 'Sent' });
    const c = await client(harness, null);
    c.send('a NOTIFY SET (mailboxes Sent (MessageNew MessageExpunge))');
    await c.readTagged('a');
    const sent = await uidValidity(harness, 'Sent');
    await inChildProcess(
      harness,
      `const user = await store.getUser(${JSON.stringify(USER)});\n` +
        `const box = await store.getMailbox(user.id, 'Sent');\n` +
        `await store.expunge(box.id, [1]);`,
    );
    expect(await c.readLine(10_000)).toBe(`* STATUS "Sent" (MESSAGES 0 UIDNEXT 2 UIDVALIDITY ${sent})`);
  });
});

describe('the subscribed filter', () => {
  it('follows SUBSCRIBE: a mailbox subscribed later is watched from then on', async () => {
    const harness = await start();
    const user = (await harness.store.getUser(USER))!;
    await harness.store.createMailbox(user.id, 'News');
    await harness.store.createMailbox(user.id, 'Later');
    await harness.store.setSubscribed(user.id, 'News', true);
    await harness.store.setSubscribed(user.id, 'Later', false);
    const c = await client(harness, null);
    c.send('a NOTIFY SET (subscribed (MessageNew MessageExpunge))');
    expect(await c.readTagged('a')).toEqual(['a OK NOTIFY completed']);
    await harness.deliver(USER, sampleMessage('later one'), { mailbox: 'Later' });
    await harness.deliver(USER, sampleMessage('news one'), { mailbox: 'News' });
    const news = await uidValidity(harness, 'News');
    const later = await uidValidity(harness, 'Later');
    expect(await c.readLine()).toBe(`* STATUS "News" (MESSAGES 1 UIDNEXT 2 UIDVALIDITY ${news})`);
    const other = await client(harness, null);
    other.send('o SUBSCRIBE Later');
    expect((await other.readTagged('o')).at(-1)).toBe('o OK SUBSCRIBE completed');
    await harness.deliver(USER, sampleMessage('later two'), { mailbox: 'Later' });
    expect(await c.readLine()).toBe(`* STATUS "Later" (MESSAGES 2 UIDNEXT 3 UIDVALIDITY ${later})`);
  });
});

describe('bounds', () => {
  it('too many mailboxes to watch: NOTIFICATIONOVERFLOW, then NOTIFY NONE', async () => {
    const harness = await start({ limits: { maxNotifyMailboxes: 2 } });
    const c = await client(harness, null);
    c.send('a NOTIFY SET (personal (MessageNew MessageExpunge))');
    expect(await c.readTagged('a')).toEqual([
      '* OK [NOTIFICATIONOVERFLOW] Too many notifications; NOTIFY is now NONE',
      'a OK NOTIFY completed',
    ]);
    await harness.deliver(USER, sampleMessage('unwatched'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await noopLines(c)).toEqual(['n OK NOOP completed']);
    // Within the limit it works again.
    c.send('b NOTIFY SET (inboxes (MessageNew MessageExpunge))');
    expect(await c.readTagged('b')).toEqual(['b OK NOTIFY completed']);
  });

  it('too many waiting notifications: NOTIFICATIONOVERFLOW', async () => {
    const harness = await start({ limits: { maxNotifyQueue: 1 } });
    const user = (await harness.store.getUser(USER))!;
    const c = await client(harness, null);
    c.send('a NOTIFY SET (personal (MessageNew MessageExpunge))');
    expect(await c.readTagged('a')).toEqual(['a OK NOTIFY completed']);
    // One commit changes two watched mailboxes: two waiting STATUS, one more than allowed.
    await harness.store.deliver({
      raw: Buffer.from(sampleMessage('both').replace(/\r?\n/g, '\r\n')),
      targets: [
        { userId: user.id, mailbox: 'INBOX' },
        { userId: user.id, mailbox: 'Sent' },
      ],
    });
    expect(await c.readLine()).toBe('* OK [NOTIFICATIONOVERFLOW] Too many notifications; NOTIFY is now NONE');
    await harness.deliver(USER, sampleMessage('after'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await noopLines(c)).toEqual(['n OK NOOP completed']);
  });
});

/** Runs a script in a separate node process on the same SQLite file, through the store's dist. */
async function inChildProcess(harness: Harness, body: string): Promise<void> {
  const storeUrl = pathToFileURL(join(import.meta.dirname, '../../../store/dist/index.js')).href;
  const script = join(harness.dir, `child-${Date.now()}.mjs`);
  await writeFile(
    script,
    `import { openStore } from ${JSON.stringify(storeUrl)};\n` +
      `const store = openStore({ path: ${JSON.stringify(join(harness.dir, 'minimail.sqlite'))} });\n` +
      `${body}\nawait store.close();\n`,
  );
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`child exited ${code}: ${stderr}`)),
    );
  });
}
