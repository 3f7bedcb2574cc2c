/**
 * The RFC 5256 3 order of many messages from columns of keys, without an object per message
 * (docs/adr/0037): each criterion becomes one Float64Array (numbers as they are, strings as their
 * rank among the distinct values in i;unicode-casemap order), and one array of positions is sorted
 * by them, UID order breaking ties. The same order as sorting SortEntry objects with
 * compareSortEntries (sort-keys.ts): two different collation keys never compare equal, so ranks
 * keep exactly their order.
 */
import type { SortCriterion } from '../protocol/sort.js';
import { compareKeys } from './collation.js';
import type { SortValue } from './sort-keys.js';

/** One column per criterion: every message's value, all numbers or all strings. */
export type SortColumn = readonly number[] | readonly string[];

/** Positions 0..n-1 in sorted order. */
export function sortOrder(
  criteria: readonly SortCriterion[],
  columns: readonly SortColumn[],
  uids: readonly number[],
): number[] {
  const count = uids.length;
  const keys = columns.map((column) => numericColumn(column, count));
  const signs = criteria.map((criterion) => (criterion.reverse ? -1 : 1));
  const order = new Array<number>(count);
  for (let i = 0; i < count; i += 1) order[i] = i;
  if (keys.length === 1) {
    const key = keys[0] as Float64Array;
    const sign = signs[0] as number;
    order.sort(
      (a, b) => sign * ((key[a] as number) - (key[b] as number)) || (uids[a] as number) - (uids[b] as number),
    );
    return order;
  }
  order.sort((a, b) => {
    for (let c = 0; c < keys.length; c += 1) {
      const key = keys[c] as Float64Array;
      const difference = (key[a] as number) - (key[b] as number);
      if (difference !== 0) return (signs[c] as number) * difference;
    }
    return (uids[a] as number) - (uids[b] as number);
  });
  return order;
}

function numericColumn(column: SortColumn, count: number): Float64Array {
  const key = new Float64Array(count);
  if (count === 0) return key;
  if (typeof column[0] === 'number') {
    for (let i = 0; i < count; i += 1) key[i] = column[i] as number;
    return key;
  }
  const strings = column as readonly string[];
  const distinct = [...new Set(strings)].sort(compareKeys);
  const rank = new Map<string, number>();
  for (let i = 0; i < distinct.length; i += 1) rank.set(distinct[i] as string, i);
  for (let i = 0; i < count; i += 1) key[i] = rank.get(strings[i] as string) as number;
  return key;
}

/** The column of one criterion from a per-message value function (numbers or strings). */
export function columnOf(count: number, value: (index: number) => SortValue): SortColumn {
  const column = new Array<SortValue>(count);
  for (let i = 0; i < count; i += 1) column[i] = value(i);
  return column as SortColumn;
}
