import { untagged } from '../protocol/compiler.js';
import { usesModseq } from '../search-evaluate.js';
import { SELECTED } from '../session/state.js';
import type { SortEntry, SortValue } from '../sort/sort-keys.js';
import { AsciiOut } from '../sort/ascii-out.js';
import { sortOrder } from '../sort/sort-order.js';
import { columnAt, keyedMatches, ranksOf, wholeListOrder } from './sort-input.js';
import { findMatches, type Match } from './search.js';
import { openContext } from './search-context.js';
import { searchAnswer } from './search-results.js';
import {
  viewOf,
  type CommandCompletion,
  type CommandContext,
  type CommandOf,
  type CommandSpec,
} from './types.js';

interface Sorted extends SortEntry {
  sequence: number;
  modseq: number;
}

/**
 * RFC 5256 3 SORT and UID SORT, with RFC 5957 2 DISPLAYFROM/DISPLAYTO; strings compare with
 * i;unicode-casemap (RFC 5051, I18NLEVEL=1). The search keys are SEARCH's (findMatches), so `$`,
 * MODSEQ, WITHIN and SAVEDATE keys work here too. RFC 5267: `RETURN (...)` answers with ESEARCH
 * (ESORT: MIN, MAX, ALL, COUNT in the requested order; SAVE as RFC 5182), PARTIAL and UPDATE
 * (CONTEXT=SORT).
 */
export const sortCommand: CommandSpec<'SORT'> = {
  name: 'SORT',
  states: SELECTED,
  // RFC 5256 3: like SEARCH, SORT by sequence number must not be answered with EXPUNGEs.
  expungeNotices: 'uidOnly',
  async handler(ctx, command) {
    try {
      return await sort(ctx, command);
    } catch (error) {
      // RFC 5182 2.1: a search with SAVE that fails empties the saved result.
      if (command.args.returnOptions?.includes('SAVE') === true) viewOf(ctx).savedResult = [];
      throw error;
    }
  },
};

async function sort(ctx: CommandContext, command: CommandOf<'SORT'>): Promise<CommandCompletion> {
  const { sortCriteria, criteria, returnOptions, partial } = command.args;
  const contexts = openContext(ctx, command.tag, returnOptions);
  const withModseq = usesModseq(criteria);
  if (withModseq) await ctx.enable('CONDSTORE');
  // Keys from the store's lean list (sort-input.ts, docs/adr/0037): no summary or body per message.
  const keyed = await keyedMatches(ctx, await findMatches(ctx, criteria, false));
  const order = wholeListOrder(keyed, sortCriteria, () =>
    sortOrder(
      sortCriteria,
      sortCriteria.map((criterion) => ranksOf(keyed, criterion.key)),
      keyed.matches.map((match) => match.uid),
    ),
  );
  const keyword = command.uid ? 'UID SORT' : 'SORT';
  if (returnOptions === null) {
    const out = new AsciiOut();
    out.ascii('SORT');
    for (const index of order) {
      const match = keyed.matches[index] as Match;
      out.byte(0x20);
      out.number(command.uid ? match.uid : match.sequence);
    }
    await ctx.send(untagged(out.text()));
    return { text: `${keyword} completed` };
  }
  // RFC 5267 3: the extended SORT answers as the extended SEARCH does, in the requested order.
  const columns = sortCriteria.map((criterion) => columnAt(keyed, criterion.key, keyed.positions));
  const sorted: Sorted[] = order.map((index) => {
    const match = keyed.matches[index] as Match;
    const values = columns.map((column) => column[index] as SortValue);
    return { sequence: match.sequence, uid: match.uid, modseq: match.message.modseq, values };
  });
  const answer = searchAnswer(sorted, {
    uid: command.uid,
    tag: command.tag,
    returnOptions,
    partial,
    withModseq,
  });
  await contexts.beforeAnswer();
  if (answer.line !== null) await ctx.send(untagged(answer.line));
  const view = viewOf(ctx);
  if (answer.saved !== null) view.savedResult = answer.saved;
  contexts.afterAnswer({ criteria, sortCriteria, uid: command.uid, initial: sorted });
  return { text: `${keyword} completed${answer.saved ? ', result saved' : ''}` };
}
