import { describe, expect, it } from 'vitest';
import { bodyStructure } from './bodystructure.js';
import { parseMessage } from './parse.js';
import { CORPUS_AVAILABLE, CORPUS_NOTE, corpusFile, crlf } from './test-support/messages.js';

function structures(raw: Buffer): { body: unknown; bodystructure: unknown } {
  const root = parseMessage(raw);
  return { body: bodyStructure(raw, root, false), bodystructure: bodyStructure(raw, root, true) };
}

describe('BODY and BODYSTRUCTURE (RFC 3501 7.4.2)', () => {
  it('gives a plain message the RFC 2045 defaults, size and line count', () => {
    const raw = crlf('Subject: x', '', 'Hello', 'World');
    expect(structures(raw)).toEqual({
      body: ['text', 'plain', ['charset', 'us-ascii'], null, null, '7bit', 14, 2],
      bodystructure: [
        'text',
        'plain',
        ['charset', 'us-ascii'],
        null,
        null,
        '7bit',
        14,
        2,
        null,
        null,
        null,
        null,
      ],
    });
  });

  it('makes the RFC 2046 4.1.2 default charset explicit for any text part without one', () => {
    const raw = crlf('Content-Type: text/html; format=flowed', '', '<p>x</p>');
    expect(structures(raw).body).toEqual([
      'text',
      'html',
      ['charset', 'us-ascii', 'format', 'flowed'],
      null,
      null,
      '7bit',
      10,
      1,
    ]);
  });

  it('reports every field of a non-text part, with extension data only in BODYSTRUCTURE', () => {
    const raw = crlf(
      'Content-Type: application/octet-stream; name="a.bin"',
      'Content-Transfer-Encoding: base64',
      'Content-ID: <c1@x>',
      'Content-Description: Some data',
      'Content-Disposition: attachment; filename="a.bin"; size=3',
      'Content-Language: en',
      'Content-Location: a.bin',
      'Content-MD5: abc=',
      '',
      'AAEC',
    );
    expect(structures(raw)).toEqual({
      body: ['application', 'octet-stream', ['name', 'a.bin'], '<c1@x>', 'Some data', 'base64', 6],
      bodystructure: [
        'application',
        'octet-stream',
        ['name', 'a.bin'],
        '<c1@x>',
        'Some data',
        'base64',
        6,
        'abc=',
        ['attachment', ['filename', 'a.bin', 'size', '3']],
        'en',
        'a.bin',
      ],
    });
  });

  it('lists several languages and sends non-ASCII parameters RFC 2231-encoded', () => {
    const raw = crlf(
      "Content-Type: text/plain; charset=utf-8; name*=utf-8''%C3%A4.txt",
      'Content-Language: en, fr',
      '',
      'x',
    );
    expect(structures(raw).bodystructure).toEqual([
      'text',
      'plain',
      ['charset', 'utf-8', 'name*', "utf-8''%C3%A4.txt"],
      null,
      null,
      '7bit',
      3,
      1,
      null,
      null,
      ['en', 'fr'],
      null,
    ]);
  });

  it('nests multiparts: children, then subtype, then params/disposition/language/location', () => {
    const raw = crlf(
      'Content-Type: multipart/alternative; boundary="=_b"',
      '',
      '--=_b',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'caf=C3=A9',
      '--=_b',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p>café</p>',
      '--=_b--',
    );
    expect(structures(raw)).toEqual({
      body: [
        ['text', 'plain', ['charset', 'utf-8'], null, null, 'quoted-printable', 9, 0],
        ['text', 'html', ['charset', 'utf-8'], null, null, '7bit', 12, 0],
        'alternative',
      ],
      bodystructure: [
        ['text', 'plain', ['charset', 'utf-8'], null, null, 'quoted-printable', 9, 0, null, null, null, null],
        ['text', 'html', ['charset', 'utf-8'], null, null, '7bit', 12, 0, null, null, null, null],
        'alternative',
        ['boundary', '=_b'],
        null,
        null,
        null,
      ],
    });
  });

  it('gives message/rfc822 its envelope, body structure and line count', () => {
    const raw = crlf(
      'Content-Type: multipart/mixed; boundary=b',
      '',
      '--b',
      'Content-Type: message/rfc822',
      '',
      'From: Ann <ann@example.com>',
      'Subject: fwd',
      '',
      'inner',
      '--b--',
    );
    expect(structures(raw).body).toEqual([
      [
        'message',
        'rfc822',
        null,
        null,
        null,
        '7bit',
        50,
        [
          null,
          'fwd',
          [['Ann', null, 'ann', 'example.com']],
          [['Ann', null, 'ann', 'example.com']],
          [['Ann', null, 'ann', 'example.com']],
          null,
          null,
          null,
          null,
          null,
        ],
        ['text', 'plain', ['charset', 'us-ascii'], null, null, '7bit', 5, 0],
        3,
      ],
      'mixed',
    ]);
  });

  it.skipIf(!CORPUS_AVAILABLE)(
    `answers the RFC 3501 6.4.5 part-specifier sample with the structure the RFC draws${CORPUS_NOTE}`,
    () => {
      const raw = corpusFile('mimekit/messages__rfc2060.txt');
      const body = structures(raw).body as unknown[];
      const subtypes = (v: unknown): unknown =>
        Array.isArray(v) && Array.isArray(v[0]) ? v.map(subtypes) : Array.isArray(v) ? `${v[0]}/${v[1]}` : v;
      expect(subtypes(body.slice(0, 4))).toEqual([
        'text/plain',
        'application/octet-stream',
        'message/rfc822',
        ['image/gif', 'message/rfc822', 'mixed'],
      ]);
      expect(body[4]).toBe('mixed');
    },
  );
});
