import { describe, expect, it } from 'vitest';
import { parseCommandLine, parseLineCount, parseMessageNumber, splitArguments } from './parse.js';

describe('parseCommandLine', () => {
  it.each([
    ['STAT', { keyword: 'STAT', rest: '' }],
    ['stat', { keyword: 'STAT', rest: '' }],
    ['LIST 1', { keyword: 'LIST', rest: '1' }],
    ['TOP 1 10', { keyword: 'TOP', rest: '1 10' }],
    ['PASS secret with spaces ', { keyword: 'PASS', rest: 'secret with spaces ' }],
    ['USER b\u00f6b@local.test', { keyword: 'USER', rest: 'b\u00f6b@local.test' }],
    ['', null],
    ['GO', null],
    ['RETRIEVE 1', null],
    ['R3TR 1', null],
    [' STAT', null],
  ])('%j -> %j', (line, expected) => {
    expect(parseCommandLine(Buffer.from(line, 'utf8'))).toEqual(expected);
  });
});

describe('arguments', () => {
  it('splits on runs of spaces', () => {
    expect(splitArguments('')).toEqual([]);
    expect(splitArguments(' 1  2 ')).toEqual(['1', '2']);
  });

  it.each([
    ['1', 1],
    ['42', 42],
    ['0', null],
    ['01', null],
    ['-1', null],
    ['+1', null],
    ['1.5', null],
    ['99999999999', null],
    ['', null],
  ])('message number %j -> %j', (text, expected) => {
    expect(parseMessageNumber(text)).toBe(expected);
  });

  it.each([
    ['0', 0],
    ['10', 10],
    ['00', null],
    ['-1', null],
    ['x', null],
  ])('line count %j -> %j', (text, expected) => {
    expect(parseLineCount(text)).toBe(expected);
  });
});
