import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['300ms', 300],
    ['5s', 5000],
    ['10m', 600_000],
    ['4h', 14_400_000],
    ['5d', 432_000_000],
    [' 1.5m ', 90_000],
  ])('parses the duration %j', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['5', 'm', '5 min', '-5s', ''])('refuses %j with the message naming the format', (text) =>
    expect(() => parseDuration(text)).toThrow(`"${text}" is not a duration like 300ms, 5s, 10m, 4h or 5d`),
  );
});
