import { describe, expect, it } from 'vitest';
import { baseSubject } from './base-subject.js';
import { casemapKey, compareKeys } from './collation.js';

describe('base subject (RFC 5256 2.1)', () => {
  it.each([
    ['Hello', 'Hello', false],
    ['Re: Hello', 'Hello', true],
    ['RE:Hello', 'Hello', true],
    ['re: Re: fwd: Hello', 'Hello', true],
    ['Fw: Hello (fwd)', 'Hello', true],
    ['Hello (fwd) (FWD)  ', 'Hello', true],
    ['[list] Re: Hello', 'Hello', true],
    ['Re[2]: Hello', 'Hello', true],
    ['[list] Hello', 'Hello', false],
    // (4): a blob that is all there is stays.
    ['[list]', '[list]', false],
    ['[Fwd: Re: Hello]', 'Hello', true],
    ['Re: [Fwd: [list] Hello]', 'Hello', true],
    ['  Hello\t  world ', 'Hello world', false],
    ['Reply', 'Reply', false],
    ['Re:', '', true],
    ['', '', false],
  ])('%j -> %j', (input, base, replyOrForward) => {
    expect(baseSubject(input)).toEqual({ base, isReplyOrForward: replyOrForward });
  });
});

describe('i;unicode-casemap (RFC 5051)', () => {
  const equal = (a: string, b: string): boolean => compareKeys(casemapKey(a), casemapKey(b)) === 0;
  it('folds case, titlecases digraphs and decomposes', () => {
    expect(equal('hello', 'HELLO')).toBe(true);
    expect(equal('Grüße', 'GRÜSSE')).toBe(false); // ß has no simple uppercase
    expect(equal('Grüße', 'GRÜßE')).toBe(true);
    expect(equal('\u01c6', '\u01c4')).toBe(true); // dž and DŽ
    expect(equal('e\u0301', '\u00e9')).toBe(true); // decomposed and precomposed é
    expect(equal('\u00c9', '\u00e9')).toBe(true);
  });
  it('orders by code point, shorter first', () => {
    expect(compareKeys(casemapKey('a'), casemapKey('B'))).toBeLessThan(0);
    expect(compareKeys(casemapKey('ab'), casemapKey('A'))).toBeGreaterThan(0);
    // U+FF21 (fullwidth A) sorts before U+1F600 by code point, although its UTF-16 unit is larger.
    expect(compareKeys('\uff21', '\u{1f600}')).toBeLessThan(0);
    expect(compareKeys('\u{1f600}', '\uff21')).toBeGreaterThan(0);
    expect(compareKeys('a\u{1f600}', 'a\ue000')).toBeGreaterThan(0);
    expect(compareKeys('a\ud7ff', 'a\u{10000}')).toBeLessThan(0);
    expect(compareKeys('\u{1f600}', '\u{1f601}')).toBeLessThan(0);
    expect(compareKeys('\u{1f600}x', '\u{1f600}')).toBeGreaterThan(0);
  });
});
