/** Each extension's RFC examples (and the rules beside them) as tests. */
import { describe, expect, it } from 'vitest';
import { compileScript } from './compile.js';
import { MESSAGE_A, MESSAGE_B, run } from './test-support/run.js';

const keep = { type: 'keep', flags: [] };
const into = (mailbox: string, flags: string[] = [], create = false) => ({
  type: 'fileinto',
  mailbox,
  flags,
  create,
});

describe('RFC 5429 reject and ereject', () => {
  it('reject with a multi-line reason (RFC 5429 2.2 example)', () => {
    const s = `require ["reject"];

if header :contains "from" "coyote@desert.example.org" {
    reject text:
I am not taking mail from you, and I don't
want your birdseed, either!
.
    ;
}`;
    expect(run(s, MESSAGE_A).actions).toEqual([
      {
        type: 'reject',
        reason: "I am not taking mail from you, and I don't\r\nwant your birdseed, either!\r\n",
        extended: false,
      },
    ]);
  });
  it('ereject (RFC 5429 2.1 example)', () => {
    const s = `require ["ereject"];

if address "from" "coyote@desert.example.org" {
    ereject "I no longer accept mail from this address";
}`;
    expect(run(s, MESSAGE_A).actions).toEqual([
      { type: 'reject', reason: 'I no longer accept mail from this address', extended: true },
    ]);
  });
  it('reject with fileinto is a run-time error (incompatible actions)', () => {
    expect(() => run('require ["reject","fileinto"]; fileinto "a"; reject "no";', MESSAGE_A)).toThrow(
      'reject cannot be combined with fileinto',
    );
  });
});

describe('RFC 3894 copy', () => {
  it('fileinto :copy keeps the implicit keep', () => {
    expect(run('require ["copy", "fileinto"]; fileinto :copy "incoming";', MESSAGE_A).actions).toEqual([
      into('incoming'),
      keep,
    ]);
  });
  it('redirect :copy keeps the implicit keep', () => {
    expect(run('require ["copy"]; redirect :copy "sent@example.com";', MESSAGE_A).actions).toEqual([
      { type: 'redirect', address: 'sent@example.com' },
      keep,
    ]);
  });
  it(':copy needs require "copy"', () => {
    expect(() => compileScript('redirect :copy "a@b.example";')).toThrow(
      'line 1: :copy needs require "copy"',
    );
  });
});

describe('RFC 5173 body', () => {
  const mime = `From: a@b.example
To: me@example.com
Subject: plans
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

The missile coordinates are attached. Project schedule =3D late.
--b1
Content-Type: text/html

<p>an html part</p>
--b1
Content-Type: application/octet-stream
Content-Transfer-Encoding: base64

TUFLRSBNT05FWSBGQVNU
--b1--
`;
  it('body :text :contains (RFC 5173 example)', () => {
    const s =
      'require ["body", "fileinto"];\nif body :text :contains ["missile", "coordinates"] { fileinto "secrets"; }';
    expect(run(s, mime).actions).toEqual([into('secrets')]);
  });
  it(':content "text" decodes quoted-printable', () => {
    const s = 'require "body"; if body :content "text" :contains "schedule = late" { discard; }';
    expect(run(s, mime).actions).toEqual([{ type: 'discard' }]);
  });
  it(':content with a full type only looks at that type', () => {
    expect(
      run('require "body"; if body :content "text/html" :contains "missile" { discard; }', mime).actions,
    ).toEqual([keep]);
    expect(
      run('require "body"; if body :content "text/html" :contains "html part" { discard; }', mime).actions,
    ).toEqual([{ type: 'discard' }]);
  });
  it(':content "application" decodes base64; :raw does not', () => {
    expect(
      run('require "body"; if body :content "application" :contains "MAKE MONEY" { discard; }', mime).actions,
    ).toEqual([{ type: 'discard' }]);
    expect(run('require "body"; if body :raw :contains "MAKE MONEY" { discard; }', mime).actions).toEqual([
      keep,
    ]);
    expect(
      run('require "body"; if body :raw :contains "TUFLRSBNT05FWSBGQVNU" { discard; }', mime).actions,
    ).toEqual([{ type: 'discard' }]);
  });
  it('a plain message is one text part', () => {
    expect(run('require "body"; if body :contains "birdseed" { discard; }', MESSAGE_A).actions).toEqual([
      { type: 'discard' },
    ]);
  });
});

describe('RFC 5232 imap4flags', () => {
  it('setflag then implicit keep carries the flags (RFC 5232 example)', () => {
    const s = 'require "imap4flags";\nif size :over 100 { setflag "\\\\Deleted"; }';
    expect(run(s, MESSAGE_A).actions).toEqual([{ type: 'keep', flags: ['\\Deleted'] }]);
  });
  it('addflag / removeflag on the internal variable, space-separated lists, no duplicates', () => {
    const s = `require ["imap4flags"];
addflag ["\\\\Seen \\\\Flagged", "$Work"];
addflag "\\\\flagged";
removeflag "$work";
keep;`;
    expect(run(s, MESSAGE_A).actions).toEqual([{ type: 'keep', flags: ['\\Seen', '\\Flagged'] }]);
  });
  it('a flag variable and fileinto :flags (RFC 5232 example with variables)', () => {
    const s = `require ["imap4flags", "fileinto", "variables"];
if header :contains "from" "coyote" {
  setflag "flagvar" "\\\\Flagged";
  addflag "flagvar" ["\\\\Deleted", "\\\\Answered"];
  fileinto :flags "\${flagvar}" "INBOX.From Boss";
}`;
    expect(run(s, MESSAGE_A).actions).toEqual([
      into('INBOX.From Boss', ['\\Flagged', '\\Deleted', '\\Answered']),
    ]);
  });
  it('hasflag (RFC 5232 4)', () => {
    const s = `require ["imap4flags", "variables"];
set "MyVar" "NonJunk Junk gnus-forward $Forwarded NotJunk JunkRecorded $Junk $NotJunk";
if hasflag :contains "MyVar" "Junk" { addflag "a"; }
if hasflag :contains "MyVar" "forward" { addflag "b"; }
if hasflag :is "MyVar" "junk" { addflag "c"; }
if hasflag :contains "MyVar" "nope" { addflag "d"; }`;
    expect(run(s, MESSAGE_A).actions).toEqual([{ type: 'keep', flags: ['a', 'b', 'c'] }]);
  });
});

describe('RFC 5229 variables', () => {
  it('set modifiers (RFC 5229 4.1 examples)', () => {
    const s = `require ["variables", "reject"];
set "a" "juMBlEd lETteRS";
set :length "b" "\${a}";
set :lower "c" "\${a}";
set :upperfirst "d" "\${a}";
set :upperfirst :lower "e" "\${a}";
set :quotewildcard "f" "Rock*";
reject "\${b}|\${c}|\${d}|\${e}|\${f}";`;
    expect(run(s, MESSAGE_A).actions).toEqual([
      {
        type: 'reject',
        reason: '15|jumbled letters|JuMBlEd lETteRS|Jumbled letters|Rock\\*',
        extended: false,
      },
    ]);
  });
  it('names are case-insensitive; an unknown variable is empty (RFC 5229 3)', () => {
    const s = `require ["variables", "reject"];
set "honorific" "Mr";
set "first_name" "Wile";
set "last_name" "Coyote";
reject "Dear \${HONORIFIC} \${last_name}\${nothing},";`;
    expect(run(s, MESSAGE_A).actions).toEqual([
      { type: 'reject', reason: 'Dear Mr Coyote,', extended: false },
    ]);
  });
  it('match variables from :matches (RFC 5229 3.2 examples)', () => {
    const s = `require ["fileinto", "variables"];
if header :matches "List-ID" "*<*@*" {
    fileinto "INBOX.lists.\${2}"; stop;
}
# Subject: [acme-users] [fwd] version 1.0 is out
if header :matches "Subject" "[*] *" {
    fileinto "INBOX.lists.\${1}/\${2}"; stop;
}
if address :matches ["To", "Cc"] ["*@**.com"] {
    fileinto "INBOX.business.\${1}.\${2}.\${3}"; stop;
}`;
    expect(run(s, 'List-ID: Acme users <acme-users@lists.example>\n\nx\n').actions).toEqual([
      into('INBOX.lists.acme-users'),
    ]);
    expect(run(s, 'Subject: [acme-users] [fwd] version 1.0 is out\n\nx\n').actions).toEqual([
      into('INBOX.lists.acme-users/[fwd] version 1.0 is out'),
    ]);
    // RFC 5229 3.2: "coyote@ACME.Example.COM": ${2} is "ACME.Example", ${3} the empty string
    expect(run(s, 'To: coyote@ACME.Example.COM\n\nx\n').actions).toEqual([
      into('INBOX.business.coyote.ACME.Example.'),
    ]);
  });
  it('string test and :count ignoring empty strings (RFC 5229 5)', () => {
    const s = `require ["variables", "relational"];
set "x" "";
if string :count "eq" ["\${x}", "a", "b"] "2" { discard; }`;
    expect(run(s, MESSAGE_A).actions).toEqual([{ type: 'discard' }]);
  });
});

describe('RFC 5230 vacation', () => {
  const toMe =
    'From: friend@other.example\nTo: me@example.com\nSubject: lunch?\nMessage-ID: <m1@other.example>\n\nhi\n';
  const env = { envelope: { from: 'friend@other.example', to: 'me@example.com' } };
  it('RFC 5230 example: a reply with "Auto:" subject and the recipient as From', () => {
    const s = `require "vacation";
if header :contains "subject" "cyrus" {
    vacation "I'm out -- send mail to cyrus-bugs";
} else {
    vacation "I'm out -- call me at +1 304 555 0123";
}`;
    const r = run(s, toMe, env);
    expect(r.actions).toEqual([
      {
        type: 'vacation',
        to: 'friend@other.example',
        from: 'me@example.com',
        subject: 'Auto: lunch?',
        reason: "I'm out -- call me at +1 304 555 0123",
        mime: false,
        days: 7,
        handle: expect.stringMatching(/^[0-9a-f]{32}$/),
        inReplyTo: '<m1@other.example>',
      },
      keep,
    ]);
  });
  it(':days :subject :from :addresses :handle (RFC 5230 4)', () => {
    const s = `require "vacation";
vacation :days 23 :addresses ["tjs@example.edu", "ts4z@landru.example.edu"]
   :subject "Away" :from "Tim <tjs@example.edu>" :handle "ran-away"
   "I'm away until October 19.";`;
    const r = run(s, 'From: x@other.example\nTo: tjs@example.edu\n\nhi\n', {
      envelope: { from: 'x@other.example', to: 'tim@example.com' },
    });
    expect(r.actions[0]).toMatchObject({
      type: 'vacation',
      days: 23,
      subject: 'Away',
      from: 'Tim <tjs@example.edu>',
      handle: 'ran-away',
    });
  });
  it(':days is clamped to 1..30', () => {
    expect(run('require "vacation"; vacation :days 0 "x";', toMe, env).actions[0]).toMatchObject({ days: 1 });
    expect(run('require "vacation"; vacation :days 365 "x";', toMe, env).actions[0]).toMatchObject({
      days: 30,
    });
  });
  const never: [string, string, string][] = [
    ['the null sender', '', toMe],
    ['a list', 'friend@other.example', 'List-Id: <l.example>\nTo: me@example.com\n\nx\n'],
    ['bulk', 'friend@other.example', 'Precedence: bulk\nTo: me@example.com\n\nx\n'],
    [
      'an auto-submitted message',
      'friend@other.example',
      'Auto-Submitted: auto-generated\nTo: me@example.com\n\nx\n',
    ],
    ['owner-*', 'owner-list@other.example', toMe],
    ['*-request', 'list-request@other.example', toMe],
    ['MAILER-DAEMON', 'MAILER-DAEMON@other.example', toMe],
    ['a message not naming me in To/Cc', 'friend@other.example', 'To: someone@example.com\n\nx\n'],
  ];
  it.each(never)('never replies to %s (RFC 5230 4.5, RFC 3834)', (_what, from, raw) => {
    const r = run('require "vacation"; vacation "away";', raw, { envelope: { from, to: 'me@example.com' } });
    expect(r.actions).toEqual([keep]);
    expect(r.notes).toHaveLength(1);
  });
  it('Auto-Submitted: no still gets a reply', () => {
    const r = run('require "vacation"; vacation "away";', 'Auto-Submitted: no\n' + toMe, env);
    expect(r.actions[0]).toMatchObject({ type: 'vacation' });
  });
});

describe('RFC 5233 subaddress', () => {
  const s = `require ["envelope", "subaddress", "fileinto"];
if envelope :user "to" "ken" { fileinto "mailbox1"; }
if envelope :detail "to" "mta-filters" { fileinto "ietf-mta-filters"; }
if address :detail "to" "" { fileinto "empty-detail"; }`;
  it(':user and :detail', () => {
    expect(
      run(s, 'To: ken@example.com\n\nx\n', {
        envelope: { from: 'a@b.example', to: 'ken+mta-filters@example.com' },
      }).actions,
    ).toEqual([into('mailbox1'), into('ietf-mta-filters')]);
  });
  it(':detail of "user+" is empty; without a separator it matches nothing', () => {
    expect(
      run(s, 'To: ken+@example.com\n\nx\n', { envelope: { from: 'a@b.example', to: 'x@example.com' } })
        .actions,
    ).toEqual([into('empty-detail')]);
    expect(
      run(s, 'To: ken@example.com\n\nx\n', { envelope: { from: 'a@b.example', to: 'x@example.com' } })
        .actions,
    ).toEqual([keep]);
  });
});

describe('RFC 5231 relational', () => {
  const three = 'To: a@x.example, b@x.example\nCc: c@x.example\nX-Priority: 2\n\nx\n';
  it(':count "ge" on addresses (RFC 5231 example)', () => {
    const s =
      'require ["relational", "comparator-i;ascii-numeric"];\nif address :count "ge" :comparator "i;ascii-numeric" ["to", "cc"] ["3"] { discard; }';
    expect(run(s, three).actions).toEqual([{ type: 'discard' }]);
    expect(run(s, 'To: a@x.example\n\nx\n').actions).toEqual([keep]);
  });
  it(':count on headers counts fields', () => {
    const s =
      'require ["relational", "comparator-i;ascii-numeric"];\nif header :count "eq" :comparator "i;ascii-numeric" ["to", "cc"] "2" { discard; }';
    expect(run(s, three).actions).toEqual([{ type: 'discard' }]);
  });
  it(':value "lt" numeric (RFC 5231 example)', () => {
    const s =
      'require ["relational", "comparator-i;ascii-numeric"];\nif header :value "lt" :comparator "i;ascii-numeric" ["x-priority"] ["3"] { discard; }';
    expect(run(s, three).actions).toEqual([{ type: 'discard' }]);
    expect(run(s, 'X-Priority: 5\n\nx\n').actions).toEqual([keep]);
    // RFC 4790 9.1.1: no digits is positive infinity
    expect(run(s, 'X-Priority: high\n\nx\n').actions).toEqual([keep]);
  });
  it(':value "gt" with i;ascii-casemap orders case-insensitively', () => {
    expect(
      run('require "relational"; if header :value "gt" "from" "C" { discard; }', MESSAGE_A).actions,
    ).toEqual([{ type: 'discard' }]);
    expect(
      run('require "relational"; if header :value "gt" "from" "d" { discard; }', MESSAGE_A).actions,
    ).toEqual([keep]);
  });
});

describe('RFC 5260 date and index', () => {
  it('date :originalzone hour between 09 and 17 (RFC 5260 example)', () => {
    const s = `require ["date", "relational", "fileinto"];
if allof(header :is "from" "boss@example.com",
         date :value "ge" :originalzone "date" "hour" "09",
         date :value "lt" :originalzone "date" "hour" "17")
{ fileinto "urgent"; }`;
    expect(run(s, 'From: boss@example.com\nDate: Tue, 1 Apr 1997 09:06:31 -0800\n\nx\n').actions).toEqual([
      into('urgent'),
    ]);
    expect(run(s, 'From: boss@example.com\nDate: Tue, 1 Apr 1997 18:06:31 -0800\n\nx\n').actions).toEqual([
      keep,
    ]);
  });
  it('date parts in a given :zone', () => {
    const s = (part: string, key: string) =>
      `require "date"; if date :zone "+0000" "date" "${part}" "${key}" { discard; }`;
    const raw = MESSAGE_A; // Tue, 1 Apr 1997 09:06:31 -0800 = 17:06:31 UTC
    for (const [part, key] of [
      ['year', '1997'],
      ['month', '04'],
      ['day', '01'],
      ['date', '1997-04-01'],
      ['hour', '17'],
      ['time', '17:06:31'],
      ['iso8601', '1997-04-01T17:06:31+00:00'],
      ['std11', 'Tue, 1 Apr 1997 17:06:31 +0000'],
      ['zone', '+0000'],
      ['weekday', '2'],
      ['julian', '50539'],
    ]) {
      expect(run(s(part!, key!), raw).actions, part).toEqual([{ type: 'discard' }]);
    }
  });
  it('currentdate (RFC 5260 example) with an injected clock', () => {
    const s = `require ["date", "relational", "vacation"];
if allof(currentdate :value "ge" "date" "2007-06-30",
         currentdate :value "le" "date" "2007-07-07")
{ vacation :days 7 "I'm away during the 2007 IETF meeting."; }`;
    const env = { envelope: { from: 'a@b.example', to: 'me@example.com' } };
    const raw = 'To: me@example.com\n\nx\n';
    expect(run(s, raw, { ...env, now: Date.UTC(2007, 6, 2, 12) }).actions[0]).toMatchObject({
      type: 'vacation',
    });
    expect(run(s, raw, { ...env, now: Date.UTC(2007, 6, 9, 12) }).actions).toEqual([keep]);
  });
  it('an unparsable date makes the test false', () => {
    expect(
      run('require "date"; if date :matches "date" "year" "*" { discard; }', 'Date: yesterday\n\nx\n')
        .actions,
    ).toEqual([keep]);
  });
  it(':index and :last pick one occurrence (RFC 5260 6)', () => {
    const raw = 'Received: from a by first\nReceived: from b by second\nReceived: from c by third\n\nx\n';
    const s = (idx: string, key: string) =>
      `require "index"; if header ${idx} :contains "received" "${key}" { discard; }`;
    expect(run(s(':index 2', 'second'), raw).actions).toEqual([{ type: 'discard' }]);
    expect(run(s(':index 2', 'third'), raw).actions).toEqual([keep]);
    expect(run(s(':index 1 :last', 'third'), raw).actions).toEqual([{ type: 'discard' }]);
    expect(run(s(':index 9', ''), raw).actions).toEqual([keep]);
    expect(() => compileScript('require "index"; if header :last "a" "b" { keep; }')).toThrow(
      ':last needs :index',
    );
  });
});

describe('RFC 5490 mailbox', () => {
  it('mailboxexists and fileinto :create (RFC 5490 examples)', () => {
    const s = `require ["fileinto", "mailbox"];
if mailboxexists "Partners" { fileinto "Partners"; } else { fileinto :create "INBOX.Pending"; }`;
    expect(run(s, MESSAGE_A, { mailboxExists: (m) => m === 'Partners' }).actions).toEqual([into('Partners')]);
    expect(run(s, MESSAGE_A, { mailboxExists: () => false }).actions).toEqual([
      into('INBOX.Pending', [], true),
    ]);
  });
});

describe('RFC 6609 include', () => {
  const scripts: Record<string, string> = {
    always_allow: 'if address :is "from" "boss@example.com" { keep; stop; }',
    spam_tests:
      'require ["fileinto", "include"]; if header :contains "subject" "MILLIONAIRE" { fileinto "spam"; return; discard; }',
    setter: 'require ["variables", "include"]; global "test"; set "test" "was set";',
  };
  const load = (name: string) => scripts[name] ?? null;
  it(':personal and :global includes, return, stop (RFC 6609 example)', () => {
    const s = `require ["include"];
include :personal "always_allow";
include :global "spam_tests";`;
    expect(
      run(s, 'From: boss@example.com\nSubject: MILLIONAIRE\n\nx\n', { loadScript: load }).actions,
    ).toEqual([keep]);
    expect(run(s, MESSAGE_B, { loadScript: load }).actions).toEqual([into('spam')]);
  });
  it('global variables are shared, locals are not (RFC 6609 3.4)', () => {
    const s = `require ["include", "variables", "reject"];
global "test";
include "setter";
reject "\${test}|\${global.test}";`;
    expect(run(s, MESSAGE_A, { loadScript: load }).actions).toEqual([
      { type: 'reject', reason: 'was set|was set', extended: false },
    ]);
  });
  it(':optional skips a missing script; a missing one is an error otherwise', () => {
    expect(
      run('require "include"; include :optional "nope";', MESSAGE_A, { loadScript: load }).actions,
    ).toEqual([keep]);
    expect(() => run('require "include"; include "nope";', MESSAGE_A, { loadScript: load })).toThrow(
      'no script "nope"',
    );
  });
  it(':once includes once', () => {
    const s =
      'require ["include", "variables", "reject"]; global "n"; set "n" ""; include :once "inc"; include :once "inc"; reject "${n}";';
    const r = run(s, MESSAGE_A, {
      loadScript: (n) =>
        n === 'inc' ? 'require ["variables","include"]; global "n"; set "n" "${n}x";' : null,
    });
    expect(r.actions).toEqual([{ type: 'reject', reason: 'x', extended: false }]);
  });
});

describe('RFC 5228 2.4.2.4 encoded-character', () => {
  const reason = (str: string) =>
    run(`require ["encoded-character", "reject"]; reject "${str}";`, MESSAGE_A).actions[0];
  it.each([
    ['$${hex:40}', '$@'],
    ['${hex: 40 }', '@'],
    ['${HEX: 40}', '@'],
    ['${hex:40', '${hex:40'],
    ['${hex:400}', '${hex:400}'],
    ['${hex:4${hex:30}}', '${hex:40}'],
    ['${unicode:40}', '@'],
    ['${ unicode:40}', '${ unicode:40}'],
    ['${UNICODE:40}', '@'],
    ['${UnICoDE:0000040}', '@'],
    ['${Unicode:40}', '@'],
    ['${Unicode:Cool}', '${Unicode:Cool}'],
    ['${hex:e2 98 ba}', '\u263a'],
  ])('%s -> %s', (input, out) => {
    expect(reason(input)).toEqual({ type: 'reject', reason: out, extended: false });
  });
  it('an invalid unicode value is an error at upload', () => {
    expect(() =>
      compileScript('require "encoded-character"; keep;\nif header :is "a" "${unicode:DF01}" { keep; }'),
    ).toThrow('line 2: invalid unicode character DF01');
  });
  it('without require, the text stays as written', () => {
    expect(run('require "reject"; reject "${hex:40}";', MESSAGE_A).actions[0]).toEqual({
      type: 'reject',
      reason: '${hex:40}',
      extended: false,
    });
  });
});

describe('encoded-character errors', () => {
  it.each(['${unicode:200000}', '${Unicode:DF01}'])('%s is an error', (s) => {
    expect(() => compileScript(`require ["encoded-character", "reject"]; reject "${s}";`)).toThrow(
      'line 1: invalid unicode character',
    );
  });
});
