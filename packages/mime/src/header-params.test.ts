/**
 * header-params.ts must read every field it accepts exactly as libmime.parseHeaderValue reads it
 * (content-headers.ts hands it the field first and libmime only what it refuses), and must accept the
 * common shapes, or libmime would be loaded for plain mail after all.
 */
import { describe, expect, it } from 'vitest';
import libmime from 'libmime';
import { byteStringToText } from './bytes.js';
import { fieldValue, readHeaderBlock } from './header-block.js';
import { parseSimpleParameterized } from './header-params.js';
import { CORPUS_AVAILABLE, CORPUS_SKIP_REASON, readCorpus } from './test-support/messages.js';
import { int, pick, prng } from './test-support/random.js';

/** libmime's reading in the simple reader's shape; params as an object so key order rules match. */
function viaLibmime(text: string): { value: string; params: [string, string][] } {
  const parsed = libmime.parseHeaderValue(text, { stripComments: true });
  return { value: parsed.value, params: Object.entries(parsed.params) as [string, string][] };
}

/** The simple reader's answer with params normalized the same way, or null where it refuses. */
function viaSimple(text: string): { value: string; params: [string, string][] } | null {
  const simple = parseSimpleParameterized(text);
  if (simple === null) return null;
  return { value: simple.value, params: Object.entries(Object.fromEntries(simple.params)) };
}

describe('parseSimpleParameterized', () => {
  it.each([
    ['text/plain', { value: 'text/plain', params: [] }],
    [' text/plain ; charset=UTF-8', { value: 'text/plain', params: [['charset', 'UTF-8']] }],
    [
      'multipart/mixed;\r\n\tboundary="----=_Part_0_1.2"; Charset = "a b" ;',
      {
        value: 'multipart/mixed',
        params: [
          ['boundary', '----=_Part_0_1.2'],
          ['charset', 'a b'],
        ],
      },
    ],
    [
      'attachment; inline; filename=a.txt',
      {
        value: 'attachment',
        params: [
          ['inline', ''],
          ['filename', 'a.txt'],
        ],
      },
    ],
    ['text/plain; charset=a; CHARSET=b', { value: 'text/plain', params: [['charset', 'a']] }],
    [
      'text/plain; name=""; x=',
      {
        value: 'text/plain',
        params: [
          ['name', ''],
          ['x', ''],
        ],
      },
    ],
    ['text/plain;; ;charset="x;y"', { value: 'text/plain', params: [['charset', 'x;y']] }],
    ['text / plain', { value: 'text / plain', params: [] }],
    ['', { value: '', params: [] }],
  ])('reads %j as libmime does', (text, expected) => {
    expect(viaSimple(text)).toStrictEqual(expected);
    expect(viaLibmime(text)).toStrictEqual(expected);
  });

  it.each([
    "text/plain; name*=utf-8''%C3%A9.txt",
    'text/plain; name*0="a"; name*1="b"',
    'text/plain (comment); charset=us-ascii',
    'text/plain; name="a\\"b"',
    'text/plain; name="open',
    'text/plain; name=a b',
    'text/plain; name="a"b',
    '"text/plain"',
  ])('leaves %j to libmime', (text) => {
    expect(parseSimpleParameterized(text)).toBeNull();
  });

  // Hostile input: long white-space runs where a pattern with two runs that can share characters
  // backtracks quadratically (40,000 spaces took over a second; this test took 89 s before trimSpace).
  it('reads 200,000-space runs in linear time, as libmime does or by leaving them to it', () => {
    const spaces = ' \t'.repeat(100_000);
    const cases: [string, ReturnType<typeof viaSimple>][] = [
      [`text/plain${spaces}x`, { value: `text/plain${spaces}x`, params: [] }],
      [
        `${spaces}text/plain${spaces};${spaces}inline${spaces}`,
        { value: 'text/plain', params: [['inline', '']] },
      ],
      [`text/plain; n=${spaces}v${spaces}`, { value: 'text/plain', params: [['n', 'v']] }],
      [`text/plain; n${spaces}=${spaces}"q"${spaces}`, { value: 'text/plain', params: [['n', 'q']] }],
      [`text/plain; n=${spaces}a b`, null],
      [`text/plain; n=${spaces}\u00a0`, null],
    ];
    const started = Date.now();
    for (const [text, expected] of cases)
      expect({ text, parsed: viaSimple(text) }).toStrictEqual({ text, parsed: expected });
    expect(Date.now() - started).toBeLessThan(1_000);
    for (const [text, expected] of cases) {
      if (expected !== null)
        expect({ text, parsed: viaLibmime(text) }).toStrictEqual({ text, parsed: expected });
    }
  });

  it('agrees with libmime on 20,000 generated values wherever it answers', () => {
    const pieces = [
      'text/plain',
      'a',
      'B',
      ' ',
      '\t',
      '\r\n ',
      ';',
      '=',
      '"',
      '*',
      '(',
      ')',
      '\\',
      'é',
      '=?',
      '?=',
      'x=y',
      '; charset=',
      '"q t"',
      '__proto__',
      '1',
      '\u00a0',
      '\f',
      ',',
      '/',
    ];
    const random = prng(12345);
    let answered = 0;
    for (let i = 0; i < 20_000; i++) {
      let text = '';
      const length = int(random, 12);
      for (let j = 0; j < length; j++) text += pick(random, pieces);
      const simple = viaSimple(text);
      if (simple === null) continue;
      answered++;
      expect({ text, parsed: simple }).toStrictEqual({ text, parsed: viaLibmime(text) });
    }
    expect(answered).toBeGreaterThan(2_000);
  });

  it('agrees with libmime on every header field of the shared corpus', (ctx) => {
    if (!CORPUS_AVAILABLE) ctx.skip(CORPUS_SKIP_REASON);
    let answered = 0;
    for (const { raw } of readCorpus()) {
      const { fields } = readHeaderBlock(raw, 0, raw.length);
      for (const field of fields) {
        const text = byteStringToText(fieldValue(field));
        const simple = viaSimple(text);
        if (simple === null) continue;
        answered++;
        expect({ text, parsed: simple }).toStrictEqual({ text, parsed: viaLibmime(text) });
      }
    }
    expect(answered).toBeGreaterThan(100);
  });
});
