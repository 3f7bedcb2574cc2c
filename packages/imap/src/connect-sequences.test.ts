/**
 * The first commands real clients send after connecting (as seen in their protocol logs), each
 * answered OK with the untagged data the client relies on.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sampleMessage, startHarness, type Harness } from './test-support/harness.js';

const b64 = (text: string): string => Buffer.from(text).toString('base64');
const PLAIN = b64('\0alice@example.com\0secret');

interface Step {
  /** The command line without its tag, or a SASL exchange: the command then the response line. */
  command: string;
  saslResponse?: string;
  /** Lines (exact strings or patterns) that must be among the untagged answers. */
  expect?: ReadonlyArray<string | RegExp>;
}

const CLIENTS: Record<string, Step[]> = {
  Thunderbird: [
    { command: 'capability', expect: [/^\* CAPABILITY IMAP4rev1 .*AUTH=PLAIN/] },
    {
      command: 'ID ("name" "Thunderbird" "version" "128.0")',
      expect: ['* ID ("name" "minimail" "vendor" "minimail")'],
    },
    { command: `authenticate PLAIN ${PLAIN}` },
    { command: 'ENABLE UTF8=ACCEPT', expect: ['* ENABLED UTF8=ACCEPT'] },
    { command: 'namespace', expect: ['* NAMESPACE (("" "/")) NIL NIL'] },
    {
      command: 'list (subscribed) "" "*" return (special-use)',
      expect: ['* LIST (\\HasNoChildren \\Subscribed \\Sent) "/" "Sent"'],
    },
    { command: 'list "" "*" return (special-use)', expect: ['* LIST (\\HasNoChildren \\Trash) "/" "Trash"'] },
    {
      command: 'select "INBOX"',
      expect: ['* 1 EXISTS', /^\* OK \[UIDVALIDITY \d+\]/, '* OK [UIDNEXT 2] Predicted next UID'],
    },
    { command: 'UID fetch 1:* (FLAGS)', expect: ['* 1 FETCH (UID 1 FLAGS (\\Recent))'] },
    {
      command:
        'UID fetch 1 (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (From To Cc Bcc Subject Date Message-ID Priority X-Priority References Newsgroups In-Reply-To Content-Type Reply-To)])',
    },
  ],
  'Apple Mail': [
    { command: 'ID ("name" "Mac OS X Mail" "version" "16.0" "os" "macOS")', expect: [/^\* ID /] },
    { command: 'LOGIN "alice@example.com" "secret"' },
    { command: 'CAPABILITY', expect: [/^\* CAPABILITY IMAP4rev1 .*IDLE/] },
    { command: 'ENABLE UTF8=ACCEPT', expect: ['* ENABLED UTF8=ACCEPT'] },
    { command: 'LIST "" ""', expect: ['* LIST (\\Noselect) "/" ""'] },
    {
      command: 'LIST "" "*" RETURN (SPECIAL-USE)',
      expect: ['* LIST (\\HasNoChildren \\Drafts) "/" "Drafts"'],
    },
    { command: 'LSUB "" "*"', expect: ['* LSUB () "/" "INBOX"'] },
    {
      command: 'STATUS INBOX (MESSAGES UNSEEN UIDNEXT UIDVALIDITY)',
      expect: [/^\* STATUS "INBOX" \(MESSAGES 1 UNSEEN 1 UIDNEXT 2 UIDVALIDITY \d+\)$/],
    },
    { command: 'SELECT INBOX', expect: ['* 1 EXISTS'] },
    { command: 'UID FETCH 1:* (FLAGS UID)', expect: ['* 1 FETCH (FLAGS (\\Recent) UID 1)'] },
    { command: 'UID FETCH 1 (BODY.PEEK[HEADER.FIELDS (From Subject)] RFC822.SIZE INTERNALDATE)' },
    { command: 'UID FETCH 1 BODY.PEEK[1]<0.5>', expect: ['* 1 FETCH (UID 1 BODY[1]<0> {5}', 'Hello)'] },
  ],
  Outlook: [
    { command: 'CAPABILITY' },
    { command: 'AUTHENTICATE PLAIN', saslResponse: PLAIN },
    { command: 'LIST "" "*"', expect: ['* LIST (\\HasNoChildren) "/" "INBOX"'] },
    { command: 'SELECT "INBOX"', expect: ['* 1 EXISTS'] },
    {
      command: 'UID FETCH 1:* (UID FLAGS RFC822.SIZE INTERNALDATE BODY.PEEK[HEADER])',
      expect: [
        /^\* 1 FETCH \(UID 1 FLAGS \(\\Recent\) RFC822.SIZE \d+ INTERNALDATE "[^"]+" BODY\[HEADER\] \{\d+\}$/,
      ],
    },
  ],
  'K-9 Mail': [
    { command: 'CAPABILITY' },
    { command: 'LOGIN "alice@example.com" "secret"' },
    { command: 'NAMESPACE', expect: ['* NAMESPACE (("" "/")) NIL NIL'] },
    { command: 'LIST "" "*"' },
    { command: 'SELECT "INBOX"', expect: ['* 1 EXISTS'] },
    { command: 'UID SEARCH 1:* NOT DELETED', expect: ['* SEARCH 1'] },
    {
      command:
        'UID FETCH 1 (UID INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS (date subject from content-type to cc reply-to message-id references in-reply-to X-K9mail-Identity)])',
    },
    {
      command: 'UID FETCH 1 (UID BODYSTRUCTURE)',
      expect: [/^\* 1 FETCH \(UID 1 BODYSTRUCTURE \("text" "plain" /],
    },
    { command: 'UID FETCH 1 (UID BODY.PEEK[1]<0.4096>)' },
    { command: 'IDLE', saslResponse: 'DONE' },
  ],
  mutt: [
    { command: 'CAPABILITY' },
    { command: 'LOGIN "alice@example.com" "secret"' },
    { command: 'LIST "" ""' },
    { command: 'SELECT "INBOX"', expect: ['* 1 EXISTS'] },
    {
      command:
        'FETCH 1:1 (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS (DATE FROM SENDER SUBJECT TO CC MESSAGE-ID REFERENCES CONTENT-TYPE CONTENT-DESCRIPTION IN-REPLY-TO REPLY-TO LINES LIST-POST X-LABEL X-ORIGINAL-TO)])',
    },
    { command: 'UID FETCH 1 BODY.PEEK[]' },
    { command: 'UID STORE 1 +FLAGS.SILENT (\\Seen)' },
    { command: 'CHECK' },
    { command: 'CLOSE' },
    { command: 'LOGOUT', expect: ['* BYE Logging out'] },
  ],
};

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

describe('connect sequences of real clients', () => {
  it.each(Object.entries(CLIENTS))('%s', async (_client, steps) => {
    h = await startHarness();
    await h.deliver('alice@example.com', sampleMessage('welcome', 'Hello, world.'));
    const c = await h.raw();
    await c.expect(/^\* OK \[CAPABILITY /);
    let index = 0;
    for (const step of steps) {
      index += 1;
      const tag = `A${String(index).padStart(3, '0')}`;
      c.send(`${tag} ${step.command}`);
      if (step.saslResponse !== undefined) {
        await c.expect(/^\+ /);
        c.send(step.saslResponse);
      }
      const lines = await c.readTagged(tag);
      expect(lines.at(-1), `${tag} ${step.command}`).toMatch(new RegExp(`^${tag} OK `));
      for (const wanted of step.expect ?? []) {
        const found = lines.some((line) =>
          typeof wanted === 'string' ? line === wanted : wanted.test(line),
        );
        expect(found, `${tag} ${step.command}: ${String(wanted)} in\n${lines.join('\n')}`).toBe(true);
      }
    }
  });
});
