import libmime from 'libmime';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { byteStringToText } from './bytes.js';
import { fieldValue, readHeaderBlock } from './header-block.js';
import { parseMessage } from './parse.js';
import { decodeWords, headerFields, headerValues, textForSearch } from './search.js';
import {
  CORPUS_AVAILABLE,
  CORPUS_NOTE,
  CORPUS_SKIP_REASON,
  corpusFile,
  crlf,
  readCorpus,
} from './test-support/messages.js';
import { decodeQuotedPrintable } from './transfer-encoding.js';

describe('decodeWords (RFC 2047)', () => {
  it.each([
    ['=?utf-8?q?caf=C3=A9?=', 'café'],
    [
      '=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?= =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=',
      'If you can read this you understand the example.',
    ],
    ['=?iso-8859-1?q?a?= b =?iso-8859-1?q?c?=', 'a b c'],
    ['plain text', 'plain text'],
    ['=?utf-8?q?broken', '=?utf-8?q?broken'],
  ])('%s', (input, expected) => {
    expect(decodeWords(input)).toBe(expected);
  });

  // decodeWords skips libmime for text without "=?" (so plain mail never loads it): that shortcut
  // must not show. Text with "?=", "?" or "=" but no "=?" is where a difference would hide.
  it.each(['plain text', '', 'a ?= b', 'x=y?q?z?=', '? = ?', 'caf\u00e9 \t folded\r\n  on', 'ends with ='])(
    'returns %j exactly as libmime does',
    (input) => {
      expect(decodeWords(input)).toBe(libmime.decodeWords(input));
    },
  );

  it('agrees with libmime on every header field of the shared corpus', (ctx) => {
    if (!CORPUS_AVAILABLE) ctx.skip(CORPUS_SKIP_REASON);
    let plain = 0;
    for (const { raw } of readCorpus()) {
      for (const field of readHeaderBlock(raw, 0, raw.length).fields) {
        const text = byteStringToText(fieldValue(field));
        if (!text.includes('=?')) plain++;
        expect({ text, decoded: decodeWords(text) }).toStrictEqual({
          text,
          decoded: libmime.decodeWords(text),
        });
      }
    }
    expect(plain).toBeGreaterThan(100);
  });
});

describe('headerFields', () => {
  it('returns every field in order, names as written, values unfolded and decoded', () => {
    const raw = crlf('Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=', ' aus Berlin', 'X-Tag: a', '', 'Body: no');
    expect(headerFields(raw, parseMessage(raw))).toEqual([
      { name: 'Subject', value: 'Grüße aus Berlin' },
      { name: 'X-Tag', value: 'a' },
    ]);
  });

  it('stops at the empty line when the range runs over the body, bare LF line ends too', () => {
    const raw = Buffer.from('From: a@example.com\nTo: b@example.com\n\nX-Not: header\n');
    expect(headerFields(raw, { headerStart: 0, headerEnd: raw.length })).toEqual([
      { name: 'From', value: 'a@example.com' },
      { name: 'To', value: 'b@example.com' },
    ]);
  });
});

describe('headerValues', () => {
  it('returns every value of a field, unfolded and decoded, in order', () => {
    const raw = crlf(
      'Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=',
      ' aus Berlin',
      'X-Tag: a',
      'x-tag: b',
      '',
      'body',
    );
    const root = parseMessage(raw);
    expect(headerValues(raw, root, 'SUBJECT')).toEqual(['Grüße aus Berlin']);
    expect(headerValues(raw, root, 'x-tag')).toEqual(['a', 'b']);
    expect(headerValues(raw, root, 'missing')).toEqual([]);
  });

  it('reads raw 8-bit UTF-8 header octets as text', () => {
    const raw = Buffer.concat([
      Buffer.from('Subject: '),
      Buffer.from('Grüße', 'utf8'),
      Buffer.from('\r\n\r\n'),
    ]);
    expect(headerValues(raw, parseMessage(raw), 'subject')).toEqual(['Grüße']);
  });

  it('reads raw 8-bit octets that are not UTF-8 as latin1, losing none', () => {
    const raw = Buffer.concat([Buffer.from('Subject: Fr'), Buffer.from([0xf6]), Buffer.from('sche\r\n\r\n')]);
    expect(headerValues(raw, parseMessage(raw), 'subject')).toEqual(['Frösche']);
  });

  it('reads UTF-8 cut short mid-character as UTF-8, with one replacement character', () => {
    const cut = Buffer.from('Привет', 'utf8').subarray(0, 11);
    const raw = Buffer.concat([Buffer.from('Subject: '), cut, Buffer.from('\r\n\r\n')]);
    expect(headerValues(raw, parseMessage(raw), 'subject')).toEqual(['Приве\ufffd']);
  });
});

describe('textForSearch', () => {
  it('decodes quoted-printable and base64 bodies in their charsets, html without tags', () => {
    const raw = crlf(
      'Content-Type: multipart/mixed; boundary=b',
      '',
      '--b',
      'Content-Type: text/plain; charset=iso-8859-1',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'caf=E9 au=',
      ' lait',
      '--b',
      'Content-Type: text/html; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('<p>Gr&uuml;&szlig;e &amp; <b>bold</b> caf\u00e9</p>').toString('base64'),
      '--b',
      'Content-Type: application/octet-stream',
      '',
      'not text',
      '--b--',
    );
    const text = textForSearch(raw, parseMessage(raw));
    expect(text).toContain('café au lait');
    expect(text).toContain('bold');
    expect(text).toContain('& ');
    expect(text).toContain('café');
    expect(text).not.toContain('<p>');
    expect(text).not.toContain('not text');
  });

  it('includes the text of embedded messages', () => {
    const raw = crlf(
      'Content-Type: message/rfc822',
      '',
      'Subject: in',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'inner words',
    );
    expect(textForSearch(raw, parseMessage(raw))).toBe('inner words\r\n');
  });

  it('decodes quoted-printable soft breaks, malformed escapes and padding', () => {
    expect(decodeQuotedPrintable(Buffer.from('a=3Db=\r\nc=  \nd =ZZ e=')).toString()).toBe('a=bcd =ZZ e');
  });
});

describe.skipIf(!CORPUS_AVAILABLE)(
  `agrees with mailparser on decoded subject and text (shared corpus)${CORPUS_NOTE}`,
  () => {
    it.each([
      'mikel-mail/plain_emails__basic_email.eml',
      'mikel-mail/mime_emails__raw_email_with_multipart_mixed_quoted_boundary.eml',
      'nodemailer-mailparser/nodemailer.eml',
      'postal-mime/calendar-event.eml',
      'zbateson-mail-mime-parser/m1001.txt',
      'zbateson-mail-mime-parser/m1005.txt',
    ])('%s', async (name) => {
      const raw = corpusFile(name);
      const root = parseMessage(raw);
      const parsed = await simpleParser(raw);
      // Unfolding keeps white space (RFC 5322 2.2.3); mailparser collapses it.
      expect(headerValues(raw, root, 'subject')[0]?.replace(/\s+/g, ' ')).toBe(
        parsed.subject?.replace(/\s+/g, ' '),
      );
      const ours = textForSearch(raw, root).replace(/\s+/g, ' ');
      const theirs = (parsed.text ?? '').replace(/\s+/g, ' ').trim();
      expect(ours).toContain(theirs.slice(0, 200));
    });
  },
);
