/** RFC 5228 base language: its examples (sections 2, 4, 5, 9) against its example messages. */
import { describe, expect, it } from 'vitest';
import { compileScript } from './compile.js';
import { MESSAGE_A, MESSAGE_B, run } from './test-support/run.js';

const keep = { type: 'keep', flags: [] };

describe('RFC 5228 section 9 example', () => {
  const script = `
# Example Sieve Filter
# Declare any optional features or extension used by the script
require ["fileinto"];

# Handle messages from known mailing lists
# Move messages from IETF filter discussion list to filter mailbox
if header :is "Sender" "owner-ietf-mta-filters@imc.org"
        {
        fileinto "filter";  # move to "filter" mailbox
        }
#
# Keep all messages to or from people in my company
#
elsif address :DOMAIN :is ["From", "To"] "example.com"
        {
        keep;               # keep in "In" mailbox
        }

#
# Try and catch unsolicited email.  If a message is not to me,
# or it contains a subject known to be spam, file it away.
#
elsif anyof (NOT address :all :contains
               ["To", "Cc", "Bcc"] "me@example.com",
             header :matches "subject"
               ["*make*money*fast*", "*university*dipl*mas*"])
        {
        fileinto "spam";   # move to "spam" mailbox
        }
else
        {
        # Move all other (non-company) mail to "personal"
        # mailbox.
        fileinto "personal";
        }
`;
  it('files a list message into "filter"', () => {
    const r = run(script, 'Sender: owner-ietf-mta-filters@imc.org\nTo: me@example.com\n\nx\n');
    expect(r.actions).toEqual([{ type: 'fileinto', mailbox: 'filter', flags: [], create: false }]);
  });
  it('keeps company mail', () => {
    const r = run(script, 'From: boss@example.com\nTo: me@example.com\n\nx\n');
    expect(r.actions).toEqual([keep]);
  });
  it('files mail not addressed to me into "spam" (Message B)', () => {
    expect(run(script, MESSAGE_B).actions).toEqual([
      { type: 'fileinto', mailbox: 'spam', flags: [], create: false },
    ]);
  });
  it('files a "make money fast" subject to me into "spam"', () => {
    const r = run(
      script,
      'From: x@other.example\nTo: list@other.example\nCc: me@example.com\nSubject: How to MAKE lots of MONEY really FAST\n\nx\n',
    );
    expect(r.actions).toEqual([{ type: 'fileinto', mailbox: 'spam', flags: [], create: false }]);
  });
  it('files the rest into "personal"', () => {
    const r = run(
      script,
      'From: friend@other.example\nTo: list@other.example\nCc: me@example.com\nSubject: hi\n\nx\n',
    );
    expect(r.actions).toEqual([{ type: 'fileinto', mailbox: 'personal', flags: [], create: false }]);
  });
});

describe('RFC 5228 tests and actions', () => {
  it('an empty script keeps (2.10.2 implicit keep)', () => {
    expect(run('', MESSAGE_A).actions).toEqual([keep]);
  });
  it('discard cancels the implicit keep (4.4)', () => {
    expect(run('if header :contains ["from"] ["coyote"] { discard; }', MESSAGE_A).actions).toEqual([
      { type: 'discard' },
    ]);
  });
  it('address :all :is (5.1)', () => {
    expect(
      run('if address :is :all "from" "coyote@desert.example.org" { discard; }', MESSAGE_A).actions,
    ).toEqual([{ type: 'discard' }]);
  });
  it('address :localpart and :domain (2.7.4)', () => {
    expect(run('if address :localpart :is "to" "roadrunner" { discard; }', MESSAGE_A).actions).toEqual([
      { type: 'discard' },
    ]);
    expect(run('if address :domain :is "to" "ACME.example.com" { discard; }', MESSAGE_A).actions).toEqual([
      { type: 'discard' },
    ]);
  });
  it('envelope (5.4) needs require and compares the envelope', () => {
    expect(() => compileScript('if envelope :all :is "from" "tim@example.com" { discard; }')).toThrow(
      'line 1: envelope needs require "envelope"',
    );
    const s = 'require "envelope";\nif envelope :all :is "from" "tim@example.com" { discard; }';
    expect(
      run(s, MESSAGE_A, { envelope: { from: 'tim@example.com', to: 'me@example.com' } }).actions,
    ).toEqual([{ type: 'discard' }]);
    expect(run(s, MESSAGE_A).actions).toEqual([keep]);
  });
  it('exists (5.5)', () => {
    expect(run('if exists ["From","Date"] { discard; }', MESSAGE_A).actions).toEqual([{ type: 'discard' }]);
    expect(run('if exists ["From","X-Nope"] { discard; }', MESSAGE_A).actions).toEqual([keep]);
  });
  it('header :contains "" matches an existing header (5.7)', () => {
    expect(run('if header :contains "Subject" "" { discard; }', MESSAGE_A).actions).toEqual([
      { type: 'discard' },
    ]);
    expect(run('if header :contains "X-Caffeine" "" { discard; }', MESSAGE_A).actions).toEqual([keep]);
  });
  it('size :over/:under with quantifiers (5.9)', () => {
    expect(run('if size :over 500K { discard; }', MESSAGE_A).actions).toEqual([keep]);
    expect(run('if size :under 1K { discard; }', MESSAGE_A).actions).toEqual([{ type: 'discard' }]);
    expect(run('if size :under 100 { discard; }', MESSAGE_A).actions).toEqual([keep]);
    expect(run('if size :over 100 { discard; }', MESSAGE_A).actions).toEqual([{ type: 'discard' }]);
  });
  it('not, allof, anyof, true, false (5.2, 5.3, 5.6, 5.8, 5.10)', () => {
    expect(run('if allof (true, not false) { discard; }', MESSAGE_A).actions).toEqual([{ type: 'discard' }]);
    expect(run('if anyof (false, false) { discard; }', MESSAGE_A).actions).toEqual([keep]);
  });
  it('comparators: i;octet is case-sensitive, i;ascii-casemap is not (2.7.3)', () => {
    expect(
      run('if header :is :comparator "i;octet" "subject" "i have a present for you" { discard; }', MESSAGE_A)
        .actions,
    ).toEqual([keep]);
    expect(run('if header :is "subject" "i have a present for you" { discard; }', MESSAGE_A).actions).toEqual(
      [{ type: 'discard' }],
    );
  });
  it(':matches with ? and * and escapes (2.7.1)', () => {
    expect(run('if header :matches "subject" "I have a ?resent*" { discard; }', MESSAGE_A).actions).toEqual([
      { type: 'discard' },
    ]);
    expect(run('if header :matches "subject" "$$$ *\\\\*" { discard; }', MESSAGE_B).actions).toEqual([keep]);
    expect(run('if header :matches "subject" "$$$ YOU* \\\\$$$" { discard; }', MESSAGE_B).actions).toEqual([
      { type: 'discard' },
    ]);
    expect(run('if header :matches "subject" "$$$ YOU* \\\\?$$" { discard; }', MESSAGE_B).actions).toEqual([
      keep,
    ]);
    expect(run('if header :matches "subject" "$$$ YOU*! $$$" { discard; }', MESSAGE_B).actions).toEqual([
      { type: 'discard' },
    ]);
  });
  it('redirect (4.2) cancels the implicit keep; stop ends the script (3.3)', () => {
    expect(run('redirect "bart@example.com"; stop; discard;', MESSAGE_A).actions).toEqual([
      { type: 'redirect', address: 'bart@example.com' },
    ]);
  });
  it('fileinto the same mailbox twice delivers once (4.1)', () => {
    expect(run('require "fileinto"; fileinto "a"; fileinto "a";', MESSAGE_A).actions).toEqual([
      { type: 'fileinto', mailbox: 'a', flags: [], create: false },
    ]);
  });
  it('strings: escapes and multi-line text with dot-stuffing (2.4.2)', () => {
    const r = run('require "reject";\nreject text:\nline one\n..dotted\n.\n;', MESSAGE_A);
    expect(r.actions).toEqual([{ type: 'reject', reason: 'line one\r\n.dotted\r\n', extended: false }]);
    const q = run('require "reject"; reject "a \\"quoted\\" \\\\ \\x";', MESSAGE_A);
    expect(q.actions).toEqual([{ type: 'reject', reason: 'a "quoted" \\ x', extended: false }]);
  });
  it('bracket and hash comments (2.3)', () => {
    expect(run('/* a\n comment */ if /* here */ true { discard; } # trailing', MESSAGE_A).actions).toEqual([
      { type: 'discard' },
    ]);
  });
  it('an RFC 2047 encoded header is compared decoded (2.7.2)', () => {
    const raw = 'Subject: =?UTF-8?Q?caf=C3=A9?=\nFrom: a@b.example\n\nx\n';
    expect(run('if header :is "subject" "café" { discard; }', raw).actions).toEqual([{ type: 'discard' }]);
  });
});

describe('parse errors carry their line (for upload)', () => {
  const cases: [string, string][] = [
    ['if true {\n  discard;\n', 'line 3: expected "}" or a command, found end of script'],
    [
      'require "fileinto";\nfileinto "a";\nrequire "reject";',
      'line 3: require must come before any other command',
    ],
    ['\n\nfrobnicate;', 'line 3: unknown command "frobnicate"'],
    ['require "nonexistent";', 'line 1: unsupported extension "nonexistent"'],
    ['if header :is "a" { keep; }', 'line 1: header takes 2 positional argument(s), got 1'],
    ['if header :is :contains "a" "b" { keep; }', 'line 1: :contains conflicts with :is'],
    ['keep', 'line 1: expected ";" or "{" after keep, found end of script'],
    ['\n"unterminated', 'line 2: unterminated string'],
    ['/* never ends', 'line 1: unterminated bracket comment'],
    [
      'if header :comparator "i;ascii-numeric" :is "a" "1" { keep; }',
      'line 1: comparator "i;ascii-numeric" needs require "comparator-i;ascii-numeric"',
    ],
    ['fileinto "x";', 'line 1: fileinto needs require "fileinto"'],
    ['elsif true { keep; }', 'line 1: elsif without if'],
    ['keep :copy;', 'line 1: keep has no :copy argument'],
  ];
  it.each(cases)('%j', (script, message) => {
    expect(() => compileScript(script)).toThrow(message);
  });
});
