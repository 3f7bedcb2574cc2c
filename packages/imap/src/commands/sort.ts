import { decodeWords } from '@minimail/mime';
import { readBodyIfPresent } from '../message-body.js';
import { untagged } from '../protocol/compiler.js';
import { isSummary, usesModseq } from '../search-evaluate.js';
import { SELECTED } from '../session/state.js';
import { SUMMARY_SORT_KEYS, compareSortEntries, sortValue, type SortEntry } from '../sort/sort-keys.js';
import { findMatches } from './search.js';
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
  const matches = await findMatches(ctx, criteria, true);
  const readsHeader = sortCriteria.some((criterion) => !SUMMARY_SORT_KEYS.has(criterion.key));
  // DATE alone of the header keys: the Date field recorded in the stored structure's envelope
  // answers it without reading the message (what it costs per message: docs/benchmarks.md).
  const fromEnvelope = sortCriteria.every(
    (criterion) => SUMMARY_SORT_KEYS.has(criterion.key) || criterion.key === 'DATE',
  );
  const sorted: Sorted[] = [];
  for (const match of matches) {
    const summary = match.message;
    if (!isSummary(summary)) throw new Error('SORT without the message summary');
    let content = null;
    const envelope =
      readsHeader && fromEnvelope
        ? (await ctx.server.structures.structureWithoutBody(summary.bodyHash))?.envelope
        : undefined;
    if (envelope !== undefined) {
      const values = sortCriteria.map((criterion) =>
        criterion.key === 'DATE'
          ? sentDate(envelope.date, summary.internalDate)
          : sortValue(criterion.key, { summary, content: null }),
      );
      sorted.push({ sequence: match.sequence, uid: match.uid, modseq: summary.modseq, values });
      continue;
    }
    if (readsHeader) {
      const raw = await readBodyIfPresent(ctx.store, summary.bodyHash);
      // Expunged since the list was read: as if already gone.
      if (raw === null) continue;
      content = { raw, structure: await ctx.server.structures.structureOf(summary.bodyHash, raw) };
    }
    const values = sortCriteria.map((criterion) => sortValue(criterion.key, { summary, content }));
    sorted.push({ sequence: match.sequence, uid: match.uid, modseq: summary.modseq, values });
  }
  sorted.sort((a, b) => compareSortEntries(sortCriteria, a, b));
  const keyword = command.uid ? 'UID SORT' : 'SORT';
  if (returnOptions === null) {
    const numbers = sorted.map((entry) => (command.uid ? entry.uid : entry.sequence));
    await ctx.send(untagged(['SORT', ...numbers].join(' ')));
    return { text: `${keyword} completed` };
  }
  // RFC 5267 3: the extended SORT answers as the extended SEARCH does, in the requested order.
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

/**
 * RFC 5256 3 DATE from the envelope's Date field (the first one, as sortValue reads it from the
 * header): decoded as headerValues decodes it; the internal date when missing or unreadable.
 */
function sentDate(field: string | null, internalDate: Date): number {
  const sent = field === null ? Number.NaN : Date.parse(decodeWords(field.trim()));
  return Number.isNaN(sent) ? internalDate.getTime() : sent;
}
