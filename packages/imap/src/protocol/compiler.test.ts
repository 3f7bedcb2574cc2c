import { describe, expect, it } from 'vitest';
import {
  atom,
  continuation,
  fetchResponse,
  responseCode,
  serializeValue,
  tagged,
  untagged,
  untaggedStatus,
  type ImapValue,
  type ResponseValue,
} from './compiler.js';

const text = (buffer: Buffer): string => buffer.toString('latin1');

describe('serializeValue', () => {
  it.each<[string, ResponseValue, string]>([
    ['NIL', null, 'NIL'],
    ['number', 42, '42'],
    ['zero', 0, '0'],
    ['64-bit modseq', 2 ** 40, '1099511627776'],
    ['plain string', 'hello world', '"hello world"'],
    ['empty string', '', '""'],
    ['quote and backslash escaped', 'say "hi" \\o/', '"say \\"hi\\" \\\\o/"'],
    ['CRLF becomes a literal', 'a\r\nb', '{4}\r\na\r\nb'],
    ['NUL becomes a literal', 'a\0b', '{3}\r\na\0b'],
    ['8-bit becomes a UTF-8 literal', 'Grüße', '{7}\r\nGr\xc3\xbc\xc3\x9fe'],
    ['Buffer is a literal', Buffer.from([0xff, 0x00]), '{2}\r\n\xff\x00'],
    ['atom stays bare', atom('\\Seen'), '\\Seen'],
    ['empty list', [], '()'],
    ['nested list', [atom('\\Seen'), ['a', null, [1, 2]], 'x'], '(\\Seen ("a" NIL (1 2)) "x")'],
    ['literal inside a list', ['a', Buffer.from('xy')], '("a" {2}\r\nxy)'],
  ])('%s', (_name, value, expected) => expect(text(serializeValue(value))).toBe(expected));

  it.each([[-1], [1.5], [Number.NaN], [2 ** 64]])('rejects the number %s', (value) => {
    expect(() => serializeValue(value)).toThrow(TypeError);
  });

  it('accepts the mime package value type unchanged', () => {
    // ENVELOPE-like data from @minimail/mime: strings are strings, never atoms.
    const envelope: ImapValue = [
      'Mon, 7 Feb 1994 21:52:25 -0800',
      'Re: hi',
      [[null, null, 'alice', 'example.com']],
      null,
    ];
    expect(text(serializeValue(envelope))).toBe(
      '("Mon, 7 Feb 1994 21:52:25 -0800" "Re: hi" ((NIL NIL "alice" "example.com")) NIL)',
    );
  });
});

describe('response builders', () => {
  it.each<[string, Buffer, string]>([
    [
      'untagged data',
      untagged('LIST', [atom('\\HasNoChildren'), atom('\\Sent')], '/', 'Sent'),
      '* LIST (\\HasNoChildren \\Sent) "/" "Sent"\r\n',
    ],
    [
      'untagged head only',
      untagged('CAPABILITY IMAP4rev1 LITERAL+ IDLE'),
      '* CAPABILITY IMAP4rev1 LITERAL+ IDLE\r\n',
    ],
    ['untagged count', untagged('3 EXISTS'), '* 3 EXISTS\r\n'],
    [
      'untagged with literal',
      untagged('LIST', [], '/', 'Entwürfe'),
      '* LIST () "/" {9}\r\nEntw\xc3\xbcrfe\r\n',
    ],
    [
      'untagged status',
      untaggedStatus('OK', 'UIDVALIDITY 3857529045', 'UIDs valid'),
      '* OK [UIDVALIDITY 3857529045] UIDs valid\r\n',
    ],
    ['BYE', untaggedStatus('BYE', null, 'Logging out'), '* BYE Logging out\r\n'],
    ['tagged OK', tagged('a1', 'OK', null, 'LOGIN completed'), 'a1 OK LOGIN completed\r\n'],
    [
      'tagged NO with code',
      tagged('a2', 'NO', 'TRYCREATE', 'No such mailbox'),
      'a2 NO [TRYCREATE] No such mailbox\r\n',
    ],
    [
      'text cannot break the line',
      tagged('a3', 'BAD', null, 'bad\r\na4 OK injected'),
      'a3 BAD bad a4 OK injected\r\n',
    ],
    ['empty text still has text', tagged('a5', 'OK', null, ''), 'a5 OK Completed\r\n'],
    ['continuation', continuation('Ready for literal data'), '+ Ready for literal data\r\n'],
    ['SASL challenge', continuation(''), '+ Completed\r\n'],
  ])('%s', (_name, bytes, expected) => expect(text(bytes)).toBe(expected));

  it('fetchResponse names items raw and serializes values', () => {
    const body = Buffer.from('Subject: x\r\n\r\n');
    expect(
      text(
        fetchResponse(12, [
          ['UID', 7],
          ['FLAGS', [atom('\\Seen'), atom('$Label')]],
          ['INTERNALDATE', '17-Jul-1996 02:44:25 -0700'],
          ['BODY[HEADER.FIELDS (SUBJECT)]<0>', body],
        ]),
      ),
    ).toBe(
      '* 12 FETCH (UID 7 FLAGS (\\Seen $Label) INTERNALDATE "17-Jul-1996 02:44:25 -0700" BODY[HEADER.FIELDS (SUBJECT)]<0> {14}\r\nSubject: x\r\n\r\n)\r\n',
    );
  });

  it.each<[string, string, string]>([
    ['APPENDUID', responseCode('APPENDUID', 38505, atom('3955')), 'APPENDUID 38505 3955'],
    [
      'COPYUID',
      responseCode('COPYUID', 38505, atom('304,319:320'), atom('3956:3958')),
      'COPYUID 38505 304,319:320 3956:3958',
    ],
    [
      'PERMANENTFLAGS',
      responseCode('PERMANENTFLAGS', [atom('\\Seen'), atom('\\*')]),
      'PERMANENTFLAGS (\\Seen \\*)',
    ],
    ['bare', responseCode('READ-WRITE'), 'READ-WRITE'],
  ])('responseCode %s', (_name, code, expected) => expect(code).toBe(expected));

  it('refuses values that would break the framing', () => {
    expect(() => responseCode('X', 'a\r\nb')).toThrow('Response code cannot hold a literal');
    expect(() => tagged('a1', 'OK', 'BAD]CODE', 'x')).toThrow('Invalid response code');
    expect(() => untagged('1 FETCH\r\n')).toThrow('one line');
    expect(() => atom('a b\r\n')).toThrow('Not an atom');
    expect(() => atom('')).toThrow('Not an atom');
  });
});

describe('lists of lists (RFC 3501 9 env-from, body-type-mpart; RFC 2342 Namespace)', () => {
  it('writes a leading run of lists back to back', () => {
    const addresses = [
      ['A', null, 'a', 'example.com'],
      ['B', null, 'b', 'example.com'],
    ];
    expect(serializeValue(addresses).toString()).toBe(
      '(("A" NIL "a" "example.com")("B" NIL "b" "example.com"))',
    );
    const multipart = [['text', 'plain', null], ['text', 'html', null], 'alternative'];
    expect(serializeValue(multipart).toString()).toBe(
      '(("text" "plain" NIL)("text" "html" NIL) "alternative")',
    );
    expect(serializeValue([['', '/']]).toString()).toBe('(("" "/"))');
  });

  it('keeps the space before a list that follows a string or NIL (ENVELOPE fields)', () => {
    const envelopeLike = ['date', null, [['A', null, 'a', 'x']], [['A', null, 'a', 'x']]];
    expect(serializeValue(envelopeLike).toString()).toBe(
      '("date" NIL (("A" NIL "a" "x")) (("A" NIL "a" "x")))',
    );
  });
});
