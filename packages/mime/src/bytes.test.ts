import { describe, expect, it } from 'vitest';
import { unfold } from './bytes.js';

/** RFC 5322 2.2.3 as one rule, with no shortcut: what unfold's one-line fast path must agree with. */
const unfoldByRule = (s: string): string => s.replace(/\r?\n(?=[ \t])/g, '').replace(/\r?\n$/, '');

describe('unfold (RFC 5322 2.2.3)', () => {
  it.each([
    // One line: the fast path (no line break, or only the final one).
    ['', ''],
    ['a b', 'a b'],
    ['a\r', 'a\r'],
    ['a\n', 'a'],
    ['a\r\n', 'a'],
    ['\n', ''],
    ['\r\n', ''],
    ['a \r\n', 'a '],
    // Folded or broken: the general rule.
    ['a\r\n b\r\n', 'a b'],
    ['a\n\tb', 'a\tb'],
    ['a\r\nb', 'a\r\nb'],
    ['a\r\n\r\n', 'a\r\n'],
    ['a\r\n \r\n', 'a '],
  ])('%j -> %j', (input, expected) => {
    expect(unfold(input)).toBe(expected);
    expect(unfoldByRule(input)).toBe(expected);
  });
});
