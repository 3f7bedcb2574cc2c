import { describe, expect, it } from 'vitest';
import {
  expandSequenceSet,
  filterBySequenceSet,
  formatSequenceSet,
  parseSequenceSet,
  sequenceSetContains,
  type SequenceSet,
} from './sequence-set.js';

function set(text: string): SequenceSet {
  const parsed = parseSequenceSet(text);
  if (parsed === '$') throw new Error('unexpected $');
  return parsed;
}

describe('parseSequenceSet', () => {
  it.each([
    ['1', [{ start: 1, end: 1 }]],
    ['*', [{ start: '*', end: '*' }]],
    [
      '1,3:5,7:*',
      [
        { start: 1, end: 1 },
        { start: 3, end: 5 },
        { start: 7, end: '*' },
      ],
    ],
    ['5:2', [{ start: 5, end: 2 }]],
    ['*:4', [{ start: '*', end: 4 }]],
    ['4294967295', [{ start: 4294967295, end: 4294967295 }]],
  ])('%s', (text, expected) => expect(parseSequenceSet(text)).toEqual(expected));

  it('$ only when allowed (RFC 5182)', () => {
    expect(parseSequenceSet('$', { allowSaved: true })).toBe('$');
    expect(() => parseSequenceSet('$')).toThrow('Invalid sequence set: $');
  });

  it.each([
    '',
    '0',
    '1:0',
    '01',
    '1,',
    ',1',
    '1::2',
    '1:2:3',
    '-1',
    'a',
    '1 2',
    '4294967296',
    '99999999999',
    '$,1',
  ])('rejects %j', (text) =>
    expect(() => parseSequenceSet(text, { allowSaved: true })).toThrow(`Invalid sequence set: ${text}`),
  );
});

describe('expandSequenceSet', () => {
  it.each([
    ['1,3:5,7:*', 8, [1, 3, 4, 5, 7, 8]],
    ['5:2', 10, [2, 3, 4, 5]],
    ['*', 4, [4]],
    ['*', 0, []],
    ['3:5', 4, [3, 4]],
    // RFC 3501 6.4.8: 559:* includes the last message even when 559 is beyond it.
    ['559:*', 9, [9]],
    ['1:4294967295', 3, [1, 2, 3]],
    ['2,2,1:2', 5, [1, 2]],
  ])('%s against %d', (text, max, expected) => expect(expandSequenceSet(set(text), max)).toEqual(expected));
});

describe('sequenceSetContains and filterBySequenceSet', () => {
  it('tests membership without expanding', () => {
    const huge = set('1:4294967295');
    expect(sequenceSetContains(huge, 4000000000, 10)).toBe(true);
    expect(sequenceSetContains(set('2:4,9:*'), 5, 20)).toBe(false);
    expect(sequenceSetContains(set('2:4,9:*'), 20, 20)).toBe(true);
    expect(sequenceSetContains(set('*:15'), 17, 17)).toBe(true);
  });

  it('filters UIDs', () => {
    expect(filterBySequenceSet(set('5:*'), [1, 4, 6, 900, 901], 901)).toEqual([6, 900, 901]);
    expect(filterBySequenceSet(set('1000:*'), [1, 4, 6], 6)).toEqual([6]);
    expect(filterBySequenceSet(set('2,4'), [1, 3, 5], 5)).toEqual([]);
  });
});

describe('formatSequenceSet', () => {
  it.each([
    [[], ''],
    [[7], '7'],
    [[1, 2, 3, 5], '1:3,5'],
    [[1, 2, 3, 5, 6, 9], '1:3,5:6,9'],
    [[5, 3, 4], '5,3:4'],
    [[304, 319, 320], '304,319:320'],
  ])('%j -> %s', (values, expected) => expect(formatSequenceSet(values)).toBe(expected));
});
