import { describe, expect, it } from 'vitest';
import { MISSING_DOMAIN, parseAddressList } from './address.js';
import { MAX_ENVELOPE_ADDRESSES } from './limits.js';
import { envelope } from './envelope.js';
import { parseMessage } from './parse.js';
import { crlf } from './test-support/messages.js';

const NIL_GROUP_END = { name: null, adl: null, mailbox: null, host: null };

describe('address lists (RFC 5322 3.4 -> RFC 3501 7.4.2)', () => {
  it.each([
    [
      'plain addr-spec',
      'john@example.com',
      [{ name: null, adl: null, mailbox: 'john', host: 'example.com' }],
    ],
    [
      'display name, quoted, with dot and escapes',
      '"Joe Q. \\"J\\" Public" <john.q.public@example.com>',
      [{ name: 'Joe Q. "J" Public', adl: null, mailbox: 'john.q.public', host: 'example.com' }],
    ],
    [
      'unquoted phrase with a dot (obs-phrase)',
      'John Q. Public <jqp@x.test>',
      [{ name: 'John Q. Public', adl: null, mailbox: 'jqp', host: 'x.test' }],
    ],
    [
      'encoded word kept raw',
      '=?utf-8?q?J=C3=B6rg?= <j@x.test>',
      [{ name: '=?utf-8?q?J=C3=B6rg?=', adl: null, mailbox: 'j', host: 'x.test' }],
    ],
    [
      'comment as the name',
      'pete@silly.test (Pete Smith)',
      [{ name: 'Pete Smith', adl: null, mailbox: 'pete', host: 'silly.test' }],
    ],
    [
      'source route',
      '<@relay1,@relay2:user@host.test>',
      [{ name: null, adl: '@relay1,@relay2', mailbox: 'user', host: 'host.test' }],
    ],
    [
      'quoted local part stays quoted',
      '"john doe"@x.test',
      [{ name: null, adl: null, mailbox: '"john doe"', host: 'x.test' }],
    ],
    ['missing domain', 'alice', [{ name: null, adl: null, mailbox: 'alice', host: MISSING_DOMAIN }]],
    [
      'several, with commas inside quotes and angles',
      '"Doe, John" <jd@x.test>, <@r,@s:a@b.test>, c@d.test',
      [
        { name: 'Doe, John', adl: null, mailbox: 'jd', host: 'x.test' },
        { name: null, adl: '@r,@s', mailbox: 'a', host: 'b.test' },
        { name: null, adl: null, mailbox: 'c', host: 'd.test' },
      ],
    ],
    [
      'group (RFC 3501: start with mailbox = name and NIL host, then members, then all NIL)',
      'A Group:Ed Jones <c@a.test>,joe@where.test;, x@y.test',
      [
        { name: null, adl: null, mailbox: 'A Group', host: null },
        { name: 'Ed Jones', adl: null, mailbox: 'c', host: 'a.test' },
        { name: null, adl: null, mailbox: 'joe', host: 'where.test' },
        NIL_GROUP_END,
        { name: null, adl: null, mailbox: 'x', host: 'y.test' },
      ],
    ],
    [
      'empty group',
      'undisclosed-recipients:;',
      [{ name: null, adl: null, mailbox: 'undisclosed-recipients', host: null }, NIL_GROUP_END],
    ],
    [
      'unclosed group and angle',
      'G: <a@b',
      [
        { name: null, adl: null, mailbox: 'G', host: null },
        { name: null, adl: null, mailbox: 'a', host: 'b' },
        NIL_GROUP_END,
      ],
    ],
    ['nothing usable', ' , (just a comment) ,', []],
  ])('%s', (_label, value, expected) => {
    expect(parseAddressList(value)).toEqual(expected);
  });
});

describe('ENVELOPE (RFC 3501 7.4.2)', () => {
  it('lists the ten fields raw, in order, with NIL for absent ones', () => {
    const raw = crlf(
      'Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)',
      'From: Terry Gray <gray@cac.washington.edu>',
      'Subject: =?iso-8859-1?q?IMAP4rev1_WG_mtg_summary?=',
      'To: imap@cac.washington.edu',
      'cc: minutes@CNRI.Reston.VA.US,',
      '  John Klensin <KLENSIN@MIT.EDU>',
      'In-Reply-To: <parent@x>',
      'Message-Id: <B27397-0100000@cac.washington.edu>',
      '',
      'body',
    );
    expect(envelope(raw, parseMessage(raw))).toEqual([
      'Wed, 17 Jul 1996 02:23:25 -0700 (PDT)',
      '=?iso-8859-1?q?IMAP4rev1_WG_mtg_summary?=',
      [['Terry Gray', null, 'gray', 'cac.washington.edu']],
      [['Terry Gray', null, 'gray', 'cac.washington.edu']],
      [['Terry Gray', null, 'gray', 'cac.washington.edu']],
      [[null, null, 'imap', 'cac.washington.edu']],
      [
        [null, null, 'minutes', 'CNRI.Reston.VA.US'],
        ['John Klensin', null, 'KLENSIN', 'MIT.EDU'],
      ],
      null,
      '<parent@x>',
      '<B27397-0100000@cac.washington.edu>',
    ]);
  });

  it('keeps Sender and Reply-To when present, and uses the first of repeated fields', () => {
    const raw = crlf(
      'From: a@x.test',
      'From: second@x.test',
      'Sender: s@x.test',
      'Reply-To: r@x.test',
      'Bcc: b@x.test',
      '',
      '',
    );
    const value = envelope(raw, parseMessage(raw)) as unknown[];
    expect(value.slice(2, 8)).toEqual([
      [[null, null, 'a', 'x.test']],
      [[null, null, 's', 'x.test']],
      [[null, null, 'r', 'x.test']],
      null,
      null,
      [[null, null, 'b', 'x.test']],
    ]);
  });

  it('defaults an empty Reply-To to From, and gives all NIL for a message without header', () => {
    const raw = crlf('From: a@x.test', 'Reply-To:', '', '');
    expect((envelope(raw, parseMessage(raw)) as unknown[])[4]).toEqual([[null, null, 'a', 'x.test']]);
    const none = Buffer.from('no header here');
    expect(envelope(none, parseMessage(none))).toEqual(Array(10).fill(null));
  });

  it('sends raw 8-bit header octets unchanged, as bytes', () => {
    const subject = Buffer.from('Grüße', 'utf8');
    const raw = Buffer.concat([Buffer.from('Subject: '), subject, Buffer.from('\r\n\r\nx')]);
    const value = envelope(raw, parseMessage(raw)) as unknown[];
    expect(value[1]).toEqual(subject);
  });

  it('gives the envelope of the embedded message for a message/rfc822 part, and the root its own', () => {
    const raw = crlf('Subject: outer', 'Content-Type: message/rfc822', '', 'Subject: inner', '', 'x');
    const root = parseMessage(raw);
    expect((envelope(raw, root) as unknown[])[1]).toBe('outer');
    expect((envelope(raw, root.message!) as unknown[])[1]).toBe('inner');
    const multi = crlf(
      'Content-Type: multipart/mixed; boundary=b',
      '',
      '--b',
      'Content-Type: message/rfc822',
      '',
      'Subject: inner',
      '',
      'x',
      '--b--',
    );
    const part = parseMessage(multi).children[0]!;
    expect((envelope(multi, part) as unknown[])[1]).toBe('inner');
  });
});

describe(`MAX_ENVELOPE_ADDRESSES (${MAX_ENVELOPE_ADDRESSES})`, () => {
  const many = (count: number): string => Array.from({ length: count }, (_, i) => `u${i}@x.test`).join(', ');

  it('keeps the first addresses of a 50,000-address header and drops the rest', () => {
    const list = parseAddressList(many(50_000));
    expect(list).toHaveLength(MAX_ENVELOPE_ADDRESSES);
    expect(list[0]).toEqual({ name: null, adl: null, mailbox: 'u0', host: 'x.test' });
    expect(list.at(-1)).toEqual({
      name: null,
      adl: null,
      mailbox: `u${MAX_ENVELOPE_ADDRESSES - 1}`,
      host: 'x.test',
    });
  });

  it('still closes a group cut short by the limit (one entry over it)', () => {
    const list = parseAddressList(`crowd: ${many(50_000)};`);
    expect(list).toHaveLength(MAX_ENVELOPE_ADDRESSES + 1);
    expect(list[0]).toEqual({ name: null, adl: null, mailbox: 'crowd', host: null });
    expect(list.at(-1)).toEqual(NIL_GROUP_END);
  });
});
