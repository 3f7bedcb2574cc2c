import { describe, expect, it } from 'vitest';
import { fetchItemResponseName, formatSection, type FetchItem } from './fetch-items.js';

describe('fetch item response names (RFC 3501 7.4.2)', () => {
  it.each<[FetchItem, string]>([
    [{ kind: 'FLAGS' }, 'FLAGS'],
    [{ kind: 'RFC822.HEADER' }, 'RFC822.HEADER'],
    [
      { kind: 'BODY[]', peek: true, section: { part: [], specifier: null, fields: [] }, partial: null },
      'BODY[]',
    ],
    [
      {
        kind: 'BODY[]',
        peek: false,
        section: { part: [], specifier: null, fields: [] },
        partial: { offset: 100, length: 50 },
      },
      'BODY[]<100>',
    ],
    [
      { kind: 'BODY[]', peek: true, section: { part: [1, 2], specifier: 'MIME', fields: [] }, partial: null },
      'BODY[1.2.MIME]',
    ],
    [
      { kind: 'BODY[]', peek: false, section: { part: [3], specifier: null, fields: [] }, partial: null },
      'BODY[3]',
    ],
    [
      {
        kind: 'BODY[]',
        peek: true,
        section: { part: [], specifier: 'HEADER.FIELDS', fields: ['FROM', 'SUBJECT'] },
        partial: null,
      },
      'BODY[HEADER.FIELDS (FROM SUBJECT)]',
    ],
    [
      {
        kind: 'BODY[]',
        peek: false,
        section: { part: [2], specifier: 'HEADER.FIELDS.NOT', fields: ['X(Y'] },
        partial: { offset: 0, length: 9 },
      },
      'BODY[2.HEADER.FIELDS.NOT ("X(Y")]<0>',
    ],
  ])('%j', (item, name) => expect(fetchItemResponseName(item)).toBe(name));

  it('formatSection alone', () =>
    expect(formatSection({ part: [4, 1], specifier: 'TEXT', fields: [] })).toBe('4.1.TEXT'));
});
