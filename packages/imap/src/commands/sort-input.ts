/**
 * What SORT and THREAD order: the matching messages with their recorded keys (docs/adr/0037),
 * read for the whole mailbox in one store call (`listSortKeys`) instead of a summary, a body and
 * a MIME structure per message. Bodies without recorded keys (stored before the keys existed, or
 * by a store without the `sortKeysOf` hook) are read and parsed here once, FILL_BATCH at a time,
 * and their keys recorded, so the next SORT finds them.
 *
 * The store hands out the same list object while the mailbox is unchanged (a kept list, docs/adr/
 * 0037), so what is derived from it for SORT (each key's rank of every message) is kept beside it
 * in a WeakMap and dropped with it: repeated SORTs of an unchanged mailbox rank nothing again.
 */
import type { MessageSortKeyList } from '@minimail/store';
import { readBodyIfPresent } from '../message-body.js';
import type { SortCriterion, SortKey } from '../protocol/sort.js';
import { rankColumn, type Ranked, type SortColumn } from '../sort/sort-order.js';
import { asStoredKeys, computeStoredKeys, KEY_INDEX, type StoredKeys } from '../sort/stored-keys.js';
import type { Match } from './search.js';
import { viewOf, type CommandContext } from './types.js';

/** Bodies read, parsed and recorded at once while filling missing keys (bounds memory). */
export const FILL_BATCH = 500;

/** The matches still in the mailbox, each with its position in the list the keys are read by. */
export interface KeyedMatches {
  matches: Match[];
  /** Each match's position in `keys`, `internalDates` and `sizes`. */
  positions: Int32Array;
  /** Every message of the mailbox's keys, by list position (UID order). */
  keys: readonly StoredKeys[];
  internalDates: readonly number[];
  sizes: readonly number[];
  /** Whether the matches are every message of the list, in order (position i is match i). */
  whole: boolean;
}

/** Lists whose every entry was checked to be StoredKeys (a kept list is checked once). */
const checkedLists = new WeakSet<readonly unknown[]>();
/** Each SORT key's ranks over a whole list of keys, computed once per kept list. */
const rankedLists = new WeakMap<readonly unknown[], Map<SortKey, Ranked>>();
/** Whole-list orders already computed for a kept list, by criteria (at most ORDERS_PER_LIST). */
const orderedLists = new WeakMap<readonly unknown[], Map<string, readonly number[]>>();
const ORDERS_PER_LIST = 8;

/** `matches` in mailbox (UID) order, as findMatches returns them. */
export async function keyedMatches(ctx: CommandContext, matches: readonly Match[]): Promise<KeyedMatches> {
  const mailboxId = viewOf(ctx).mailboxId;
  const list = await ctx.store.listSortKeys(mailboxId);
  const kept: Match[] = [];
  const positions = new Int32Array(matches.length);
  // Both lists are in ascending UID order: walk them side by side.
  let next = 0;
  for (const match of matches) {
    while (next < list.uids.length && (list.uids[next] as number) < match.uid) next += 1;
    // Expunged since the matches were found: as if already gone.
    if (list.uids[next] !== match.uid) continue;
    positions[kept.length] = next;
    kept.push(match);
  }
  const keys = checkedKeys(list);
  const result = {
    matches: kept,
    positions: positions.subarray(0, kept.length),
    internalDates: list.internalDates,
    sizes: list.sizes,
  };
  if (keys !== null) return { ...result, keys, whole: kept.length === list.uids.length };
  return fillMissing(ctx, mailboxId, list, result);
}

/** The list's keys when every one is recorded and of this version (checked once per list). */
function checkedKeys(list: MessageSortKeyList): readonly StoredKeys[] | null {
  if (checkedLists.has(list.keys)) return list.keys as readonly StoredKeys[];
  for (const value of list.keys) if (asStoredKeys(value) === null) return null;
  checkedLists.add(list.keys);
  return list.keys as readonly StoredKeys[];
}

/** Computes (and records) the keys the list lacks for the matches; drops matches whose body is gone. */
async function fillMissing(
  ctx: CommandContext,
  mailboxId: number,
  list: MessageSortKeyList,
  found: Omit<KeyedMatches, 'keys' | 'whole'>,
): Promise<KeyedMatches> {
  const keys = list.keys.map((value) => asStoredKeys(value)) as Array<StoredKeys | null>;
  const missing: number[] = [];
  for (let i = 0; i < found.matches.length; i += 1)
    if (keys[found.positions[i] as number] === null) missing.push(i);
  const gone = new Set<number>();
  for (let start = 0; start < missing.length; start += FILL_BATCH) {
    const batch = missing.slice(start, start + FILL_BATCH);
    const uids = batch.map((i) => (found.matches[i] as Match).uid);
    const summaries = new Map((await ctx.store.getMessages(mailboxId, uids)).map((s) => [s.uid, s]));
    const recorded: Array<{ bodyHash: string; sortKeys: string }> = [];
    for (const i of batch) {
      const summary = summaries.get((found.matches[i] as Match).uid);
      const raw = summary === undefined ? null : await readBodyIfPresent(ctx.store, summary.bodyHash);
      if (summary === undefined || raw === null) {
        gone.add(i);
        continue;
      }
      const computed = computeStoredKeys(raw, await ctx.server.structures.structureOf(summary.bodyHash, raw));
      keys[found.positions[i] as number] = computed;
      recorded.push({ bodyHash: summary.bodyHash, sortKeys: JSON.stringify(computed) });
    }
    await ctx.store.recordSortKeys(recorded);
  }
  const matches = found.matches.filter((_, i) => !gone.has(i));
  const positions = Int32Array.from(found.positions.filter((_, i) => !gone.has(i)));
  // Positions of messages that did not match (or are gone) keep null: never read.
  return { ...found, matches, positions, keys: keys as StoredKeys[], whole: false };
}

/**
 * Each match's rank by one SORT key (sort-order.ts): over the whole list once (kept with a kept
 * list), then read at the matches' positions. Ranks of a subset keep their order (they need not
 * be dense), so the whole list's ranks serve any search.
 */
export function ranksOf(keyed: KeyedMatches, key: SortKey): Ranked {
  const full = keyed.whole ? wholeListRanks(keyed, key) : null;
  if (full !== null) return full;
  const column = columnAt(keyed, key, keyed.positions);
  return rankColumn(column, column.length);
}

function wholeListRanks(keyed: KeyedMatches, key: SortKey): Ranked {
  let ranked = rankedLists.get(keyed.keys);
  if (ranked === undefined) {
    ranked = new Map();
    rankedLists.set(keyed.keys, ranked);
  }
  let ranks = ranked.get(key);
  if (ranks === undefined) {
    const column = columnAt(keyed, key, keyed.positions);
    ranks = rankColumn(column, column.length);
    ranked.set(key, ranks);
  }
  return ranks;
}

/** The values of one SORT key at the given list positions (stored-keys.ts; RFC 5256 3). */
export function columnAt(keyed: KeyedMatches, key: SortKey, positions: Int32Array): SortColumn {
  const count = positions.length;
  switch (key) {
    case 'ARRIVAL':
    case 'SIZE': {
      // RFC 5256 3: the internal date and time; the size.
      const source = key === 'ARRIVAL' ? keyed.internalDates : keyed.sizes;
      const numbers = new Array<number>(count);
      for (let i = 0; i < count; i += 1) numbers[i] = source[positions[i] as number] as number;
      return numbers;
    }
    case 'DATE': {
      // RFC 5256 3: the Date: header in UTC; when it is missing or unreadable, the internal date.
      const dates = new Array<number>(count);
      for (let i = 0; i < count; i += 1) {
        const at = positions[i] as number;
        dates[i] = (keyed.keys[at] as StoredKeys)[1] ?? (keyed.internalDates[at] as number);
      }
      return dates;
    }
    default: {
      const index = KEY_INDEX[key];
      const strings = new Array<string>(count);
      for (let i = 0; i < count; i += 1)
        strings[i] = (keyed.keys[positions[i] as number] as StoredKeys)[index] as string;
      return strings;
    }
  }
}

/**
 * `compute()`'s order of the whole list for these criteria, kept beside a kept list (a client
 * that sorts an unchanged mailbox again gets the same order without sorting); for a subset of the
 * list, or a list the store does not keep, computed each time.
 */
export function wholeListOrder(
  keyed: KeyedMatches,
  criteria: readonly SortCriterion[],
  compute: () => number[],
): readonly number[] {
  if (!keyed.whole || !checkedLists.has(keyed.keys)) return compute();
  const name = criteria.map((c) => `${c.reverse ? '-' : '+'}${c.key}`).join(' ');
  let orders = orderedLists.get(keyed.keys);
  if (orders === undefined) {
    orders = new Map();
    orderedLists.set(keyed.keys, orders);
  }
  let order = orders.get(name);
  if (order === undefined) {
    order = compute();
    if (orders.size >= ORDERS_PER_LIST) orders.clear();
    orders.set(name, order);
  }
  return order;
}
