import { describe, expect, it } from 'vitest';
import { compareDays, dayOf, formatDate, formatDateTime, parseDate, parseDateTime } from './imap-date.js';

describe('date-time (RFC 3501 9)', () => {
  it.each([
    ['17-Jul-1996 02:44:25 -0700', '1996-07-17T09:44:25.000Z'],
    [' 7-Jul-1996 02:44:25 +0000', '1996-07-07T02:44:25.000Z'],
    ['07-jul-1996 02:44:25 +0530', '1996-07-06T21:14:25.000Z'],
    ['29-Feb-2024 23:59:59 +0000', '2024-02-29T23:59:59.000Z'],
    ['01-Jan-2000 00:00:00 -1200', '2000-01-01T12:00:00.000Z'],
  ])('parses %j', (text, iso) => expect(parseDateTime(text).toISOString()).toBe(iso));

  it.each([
    '7-Jul-1996 02:44:25 -0700',
    '17-Jul-96 02:44:25 -0700',
    '17-July-1996 02:44:25 -0700',
    '17-Jul-1996 2:44:25 -0700',
    '17-Jul-1996 02:44:25',
    '17-Jul-1996 02:44:25 0700',
    '17-Jul-1996 24:00:00 +0000',
    '17-Jul-1996 02:60:00 +0000',
    '17-Jul-1996 02:44:60 +0000',
    '17-Jul-1996 02:44:25 +0060',
    '29-Feb-2023 00:00:00 +0000',
    '00-Jan-2000 00:00:00 +0000',
    '17-Jul-1996  02:44:25 -0700',
    '',
  ])('rejects %j', (text) => expect(() => parseDateTime(text)).toThrow(`Invalid date-time: ${text}`));

  it.each([
    [new Date('1996-07-17T09:44:25Z'), -420, '17-Jul-1996 02:44:25 -0700'],
    [new Date('2024-02-07T00:00:00Z'), 0, '07-Feb-2024 00:00:00 +0000'],
    [new Date('2024-02-07T00:00:00Z'), 330, '07-Feb-2024 05:30:00 +0530'],
  ])('formats %s at offset %d', (date, offset, expected) => {
    expect(formatDateTime(date, offset)).toBe(expected);
    expect(parseDateTime(expected).getTime()).toBe(date.getTime());
  });
});

describe('date (RFC 3501 9)', () => {
  it.each([
    ['1-Feb-1994', { year: 1994, month: 2, day: 1 }],
    ['01-FEB-1994', { year: 1994, month: 2, day: 1 }],
    ['31-Dec-2024', { year: 2024, month: 12, day: 31 }],
  ])('parses %j', (text, day) => expect(parseDate(text)).toEqual(day));

  it.each(['1-Feb-94', '001-Feb-1994', '31-Apr-2024', 'Feb-1-1994', '1-Feb-1994 00:00:00 +0000', ''])(
    'rejects %j',
    (text) => expect(() => parseDate(text)).toThrow(`Invalid date: ${text}`),
  );

  it('formats and compares days', () => {
    expect(formatDate({ year: 1994, month: 2, day: 1 })).toBe('1-Feb-1994');
    expect(dayOf(new Date('2024-03-01T23:59:59Z'))).toEqual({ year: 2024, month: 3, day: 1 });
    expect(compareDays({ year: 2024, month: 3, day: 1 }, { year: 2024, month: 2, day: 29 })).toBeGreaterThan(
      0,
    );
    expect(compareDays({ year: 2024, month: 3, day: 1 }, { year: 2024, month: 3, day: 1 })).toBe(0);
  });
});
