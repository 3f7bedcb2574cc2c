import { readBodyIfPresent } from '../message-body.js';
import { untagged } from '../protocol/compiler.js';
import { isSummary } from '../search-evaluate.js';
import { SELECTED } from '../session/state.js';
import { compareKeys } from '../sort/collation.js';
import { SUMMARY_SORT_KEYS, sortValue, type SortValue } from '../sort/sort-keys.js';
import { findMatches } from './search.js';
import type { CommandSpec } from './types.js';

interface Sorted {
  sequence: number;
  uid: number;
  values: SortValue[];
}

/**
 * RFC 5256 3 SORT and UID SORT, with RFC 5957 2 DISPLAYFROM/DISPLAYTO; strings compare with
 * i;unicode-casemap (RFC 5051, I18NLEVEL=1). The search keys are SEARCH's (findMatches), so `$`,
 * MODSEQ, WITHIN and SAVEDATE keys work here too.
 */
export const sortCommand: CommandSpec<'SORT'> = {
  name: 'SORT',
  states: SELECTED,
  // RFC 5256 3: like SEARCH, SORT by sequence number must not be answered with EXPUNGEs.
  expungeNotices: 'uidOnly',
  async handler(ctx, command) {
    const { sortCriteria, criteria } = command.args;
    const matches = await findMatches(ctx, criteria, true);
    const readsHeader = sortCriteria.some((criterion) => !SUMMARY_SORT_KEYS.has(criterion.key));
    const sorted: Sorted[] = [];
    for (const match of matches) {
      const summary = match.message;
      if (!isSummary(summary)) throw new Error('SORT without the message summary');
      let content = null;
      if (readsHeader) {
        const raw = await readBodyIfPresent(ctx.store, summary.bodyHash);
        // Expunged since the list was read: as if already gone.
        if (raw === null) continue;
        content = { raw, structure: await ctx.server.structures.structureOf(summary.bodyHash, raw) };
      }
      const values = sortCriteria.map((criterion) => sortValue(criterion.key, { summary, content }));
      sorted.push({ sequence: match.sequence, uid: match.uid, values });
    }
    sorted.sort((a, b) => {
      for (let i = 0; i < sortCriteria.length; i += 1) {
        const order = compareValues(a.values[i] as SortValue, b.values[i] as SortValue);
        if (order !== 0) return sortCriteria[i]?.reverse === true ? -order : order;
      }
      // RFC 5256 3: messages equal by every criterion stay in mailbox (sequence) order.
      return a.sequence - b.sequence;
    });
    const numbers = sorted.map((entry) => (command.uid ? entry.uid : entry.sequence));
    await ctx.send(untagged(['SORT', ...numbers].join(' ')));
    return { text: `${command.uid ? 'UID SORT' : 'SORT'} completed` };
  },
};

function compareValues(a: SortValue, b: SortValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return compareKeys(String(a), String(b));
}
