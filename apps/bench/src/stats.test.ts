import { describe, expect, it } from 'vitest';
import { medianBy } from './stats.js';

describe('medianBy', () => {
  it('returns the middle round by the key, whatever order the rounds ran in', () => {
    const rounds = [{ rate: 900 }, { rate: 1100 }, { rate: 500 }];
    expect(medianBy(rounds, (round) => round.rate)).toBe(rounds[0]);
  });

  it('returns the upper middle one of an even count, and the only one of one', () => {
    expect(medianBy([4, 1, 3, 2], (n) => n)).toBe(3);
    expect(medianBy([7], (n) => n)).toBe(7);
  });

  it('refuses to pick from no rounds', () => {
    expect(() => medianBy([], (n: number) => n)).toThrow('no rounds to take the median of');
  });
});
