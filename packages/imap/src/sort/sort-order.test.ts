/**
 * sortOrder (columns of ranks, packed native sort for one key) against the per-entry comparator
 * it replaces (compareSortEntries), on random columns full of ties, with and without REVERSE.
 */
import { describe, expect, it } from 'vitest';
import { SORT_KEYS, type SortCriterion } from '../protocol/sort.js';
import { casemapKey } from './collation.js';
import { compareSortEntries, type SortEntry, type SortValue } from './sort-keys.js';
import { rankColumn, sortOrder, type SortColumn } from './sort-order.js';

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['', 'a', 'A', 'b', 'é', 'É', 'z', '\u{1d518}', '\uffff', 'ǆ', 'aa', 'ab'];

function column(next: () => number, count: number, numeric: boolean): SortColumn {
  if (numeric)
    return Array.from({ length: count }, () =>
      next() < 0.5 ? Math.floor(next() * 10) : 1.7e12 + Math.floor(next() * 1e6),
    );
  return Array.from({ length: count }, () =>
    casemapKey(`${WORDS[Math.floor(next() * WORDS.length)] ?? ''}${next() < 0.3 ? (WORDS[1] ?? '') : ''}`),
  );
}

describe('sortOrder', () => {
  it('orders exactly as compareSortEntries, one to three criteria, UIDs in order or not', () => {
    const next = random(7);
    for (let round = 0; round < 300; round += 1) {
      const count = Math.floor(next() * 60);
      const criteria: SortCriterion[] = Array.from({ length: 1 + Math.floor(next() * 3) }, () => ({
        key: SORT_KEYS[Math.floor(next() * SORT_KEYS.length)] ?? 'DATE',
        reverse: next() < 0.5,
      }));
      const columns = criteria.map(() => column(next, count, next() < 0.5));
      let uid = 0;
      const uids = Array.from({ length: count }, () => (uid += 1 + Math.floor(next() * 3)));
      if (round % 5 === 0) uids.reverse();
      const entries: SortEntry[] = uids.map((u, i) => ({
        uid: u,
        values: columns.map((c) => c[i] as SortValue),
      }));
      const expected = [...entries].sort((a, b) => compareSortEntries(criteria, a, b)).map((e) => e.uid);
      const ranks = columns.map((c) => rankColumn(c, count));
      const got = sortOrder(criteria, ranks, uids).map((i) => uids[i]);
      expect(got, `round ${round}`).toEqual(expected);
    }
  });

  it('orders an empty list', () => {
    expect(sortOrder([{ key: 'DATE', reverse: true }], [rankColumn([], 0)], [])).toEqual([]);
  });
});
