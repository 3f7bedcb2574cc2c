/**
 * What SORT and THREAD order: the matching messages with their recorded keys (docs/adr/0037),
 * read for the whole mailbox in one store call (`listSortKeys`) instead of a summary, a body and
 * a MIME structure per message. Bodies without recorded keys (stored before the keys existed, or
 * by a store without the `sortKeysOf` hook) are read and parsed here once, FILL_BATCH at a time,
 * and their keys recorded, so the next SORT finds them.
 */
import { readBodyIfPresent } from '../message-body.js';
import { asStoredKeys, computeStoredKeys, type StoredKeys } from '../sort/stored-keys.js';
import type { Match } from './search.js';
import { viewOf, type CommandContext } from './types.js';

/** Bodies read, parsed and recorded at once while filling missing keys (bounds memory). */
export const FILL_BATCH = 500;

/** The matches still in the mailbox, each with its keys, internal date (ms) and size. */
export interface KeyedMatches {
  matches: Match[];
  keys: StoredKeys[];
  internalDates: number[];
  sizes: number[];
}

/** `matches` in mailbox (UID) order, as findMatches returns them. */
export async function keyedMatches(ctx: CommandContext, matches: readonly Match[]): Promise<KeyedMatches> {
  const mailboxId = viewOf(ctx).mailboxId;
  const list = await ctx.store.listSortKeys(mailboxId);
  const kept: KeyedMatches = { matches: [], keys: [], internalDates: [], sizes: [] };
  const missing: number[] = [];
  // Both lists are in ascending UID order: walk them side by side.
  let next = 0;
  for (const match of matches) {
    while (next < list.uids.length && (list.uids[next] as number) < match.uid) next += 1;
    // Expunged since the matches were found: as if already gone.
    if (list.uids[next] !== match.uid) continue;
    const keys = asStoredKeys(list.keys[next]);
    if (keys === null) missing.push(kept.matches.length);
    kept.matches.push(match);
    kept.keys.push(keys as StoredKeys);
    kept.internalDates.push(list.internalDates[next] as number);
    kept.sizes.push(list.sizes[next] as number);
  }
  if (missing.length === 0) return kept;
  const gone = new Set<number>();
  for (let start = 0; start < missing.length; start += FILL_BATCH) {
    const positions = missing.slice(start, start + FILL_BATCH);
    const uids = positions.map((position) => (kept.matches[position] as Match).uid);
    const summaries = new Map((await ctx.store.getMessages(mailboxId, uids)).map((s) => [s.uid, s]));
    const recorded: Array<{ bodyHash: string; sortKeys: string }> = [];
    for (const position of positions) {
      const summary = summaries.get((kept.matches[position] as Match).uid);
      const raw = summary === undefined ? null : await readBodyIfPresent(ctx.store, summary.bodyHash);
      if (summary === undefined || raw === null) {
        gone.add(position);
        continue;
      }
      const keys = computeStoredKeys(raw, await ctx.server.structures.structureOf(summary.bodyHash, raw));
      kept.keys[position] = keys;
      recorded.push({ bodyHash: summary.bodyHash, sortKeys: JSON.stringify(keys) });
    }
    await ctx.store.recordSortKeys(recorded);
  }
  if (gone.size === 0) return kept;
  const keep = (_: unknown, position: number): boolean => !gone.has(position);
  return {
    matches: kept.matches.filter(keep),
    keys: kept.keys.filter(keep),
    internalDates: kept.internalDates.filter(keep),
    sizes: kept.sizes.filter(keep),
  };
}
