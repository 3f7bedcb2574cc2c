/**
 * The RFC 5256 3 order of many messages from columns of keys, without an object per message
 * (docs/adr/0037): each criterion becomes one Int32Array of ranks (each value's place among the
 * distinct values: numbers ascending, strings in i;unicode-casemap order), and positions are
 * sorted by them, UID order breaking ties. The same order as sorting SortEntry objects with
 * compareSortEntries (sort-keys.ts): two different collation keys never compare equal, and
 * numbers compare by value, so ranks keep exactly their order.
 */
import type { SortCriterion } from '../protocol/sort.js';
import { compareKeys } from './collation.js';

/** One column per criterion: every message's value, all numbers or all strings. */
export type SortColumn = readonly number[] | readonly string[];

/** Positions 0..n-1 in sorted order. */
export function sortOrder(
  criteria: readonly SortCriterion[],
  ranks: readonly Ranked[],
  uids: readonly number[],
): number[] {
  const count = uids.length;
  const signs = criteria.map((criterion) => (criterion.reverse ? -1 : 1));
  if (ranks.length === 1 && ascending(uids)) return packedOrder(ranks[0] as Ranked, signs[0] as number);
  const order = new Array<number>(count);
  for (let i = 0; i < count; i += 1) order[i] = i;
  order.sort((a, b) => {
    for (let c = 0; c < ranks.length; c += 1) {
      const rank = (ranks[c] as Ranked).rank;
      const difference = (rank[a] as number) - (rank[b] as number);
      if (difference !== 0) return (signs[c] as number) * difference;
    }
    return (uids[a] as number) - (uids[b] as number);
  });
  return order;
}

/**
 * Each message's rank by one key: ranks compare as the values do (equal values, equal ranks), and
 * every rank is below `distinct`. (Ranks read at a subset of positions need not be dense.)
 */
export interface Ranked {
  rank: Int32Array;
  distinct: number;
}

/**
 * One criterion over positions already in UID order: each position's key is `rank * count +
 * position` (exact in a double below 2^53, so up to ~94 million messages), and a Float64Array of
 * those sorts natively, without a comparator call per comparison.
 */
function packedOrder(ranked: Ranked, sign: number): number[] {
  const count = ranked.rank.length;
  const packed = new Float64Array(count);
  for (let i = 0; i < count; i += 1) {
    const rank = ranked.rank[i] as number;
    packed[i] = (sign === 1 ? rank : ranked.distinct - 1 - rank) * count + i;
  }
  packed.sort();
  const order = new Array<number>(count);
  for (let i = 0; i < count; i += 1) order[i] = (packed[i] as number) % count;
  return order;
}

function ascending(uids: readonly number[]): boolean {
  for (let i = 1; i < uids.length; i += 1) if ((uids[i] as number) <= (uids[i - 1] as number)) return false;
  return uids.length < 94_000_000;
}

/** Each value's place among the column's distinct values. */
export function rankColumn(column: SortColumn, count: number): Ranked {
  const rank = new Int32Array(count);
  if (count === 0) return { rank, distinct: 0 };
  if (typeof column[0] === 'number') {
    const numbers = column as readonly number[];
    const sorted = Float64Array.from(numbers).sort();
    // The distinct values, in order, then each value's index among them by binary search.
    let distinct = 0;
    for (let i = 0; i < count; i += 1)
      if (i === 0 || sorted[i] !== sorted[distinct - 1]) sorted[distinct++] = sorted[i] as number;
    for (let i = 0; i < count; i += 1) rank[i] = search(sorted, distinct, numbers[i] as number);
    return { rank, distinct };
  }
  const strings = column as readonly string[];
  const values = [...new Set(strings)].sort(compareKeys);
  const rankOf = new Map<string, number>();
  for (let i = 0; i < values.length; i += 1) rankOf.set(values[i] as string, i);
  for (let i = 0; i < count; i += 1) rank[i] = rankOf.get(strings[i] as string) as number;
  return { rank, distinct: values.length };
}

/** The index of `value` among the first `length` (distinct, ascending) entries of `sorted`. */
function search(sorted: Float64Array, length: number, value: number): number {
  let low = 0;
  let high = length - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] as number) < value) low = middle + 1;
    else high = middle;
  }
  return low;
}
