/**
 * What a SEARCH answers once the messages are found: RFC 3501's `* SEARCH`, RFC 4731's
 * `* ESEARCH` for `RETURN (...)`, and the result RFC 5182's SAVE keeps for `$`.
 */
import { formatSequenceSet } from '../protocol/sequence-set.js';
import { AsciiOut } from '../sort/ascii-out.js';
import type { PartialRange, SearchReturnOption } from '../protocol/search.js';

/** One message that matched: both numbers, and its mod-sequence for RFC 7162 3.1.5. */
export interface Found {
  sequence: number;
  uid: number;
  modseq: number;
}

export interface SearchAnswer {
  /** The untagged response line without `* ` and CRLF, or null when none is sent. */
  line: string | null;
  /** The UIDs to save for `$`, or null when SAVE was not asked for. */
  saved: number[] | null;
}

/**
 * `found` is in ascending order for SEARCH, in the requested order for SORT (RFC 5267 3.1: MIN
 * and MAX are then the first and last sorted, ALL keeps the order and its ranges only ever go
 * up, 3.2). `withModseq`: a MODSEQ key was used (RFC 7162 3.1.5: the highest mod-sequence of the
 * messages reported, none when nothing matched). `keyword` is the unextended response's name.
 */
export function searchAnswer(
  found: readonly Found[],
  options: {
    uid: boolean;
    tag: string;
    returnOptions: readonly SearchReturnOption[] | null;
    partial?: PartialRange | null;
    withModseq: boolean;
    keyword?: 'SEARCH' | 'SORT';
  },
): SearchAnswer {
  const number = (message: Found): number => (options.uid ? message.uid : message.sequence);
  if (options.returnOptions === null) {
    // Written as bytes: `* SEARCH` of 100,000 UIDs joined as strings cost more than finding them.
    const out = new AsciiOut();
    out.ascii(options.keyword ?? 'SEARCH');
    for (const message of found) {
      out.byte(0x20);
      out.number(number(message));
    }
    const modseq = options.withModseq ? highestModseq(found) : 0;
    if (modseq > 0) out.ascii(` (MODSEQ ${modseq})`);
    return { line: out.text(), saved: null };
  }
  const wanted = new Set(options.returnOptions);
  // RFC 5267 4.2: CONTEXT is only a hint; 4.3: UPDATE is answered later, by ADDTO/REMOVEFROM
  // (the command's own ESEARCH is still sent, even with no other item in it).
  wanted.delete('CONTEXT');
  const update = wanted.delete('UPDATE');
  const save = wanted.delete('SAVE');
  const first = found[0];
  const last = found[found.length - 1];
  // RFC 5182 2.1: SAVE with only MIN and/or MAX saves just those; otherwise the whole result.
  const minMaxOnly = wanted.size > 0 && [...wanted].every((option) => option === 'MIN' || option === 'MAX');
  let reported: Found[] = [...found];
  if (minMaxOnly) {
    reported = [];
    if (wanted.has('MIN') && first !== undefined) reported.push(first);
    if (wanted.has('MAX') && last !== undefined && last !== first) reported.push(last);
  }
  // `$` is a set of UIDs (kept ascending; a SORT may have found them in another order).
  const saved = save ? reported.map((message) => message.uid).sort((a, b) => a - b) : null;
  // RFC 5182 2.1: SAVE alone returns no ESEARCH response.
  if (wanted.size === 0 && !update) return { line: null, saved };
  // RFC 4731 3.1: `* ESEARCH (TAG "t") [UID]` then the items; MIN, MAX and ALL are left out
  // when nothing matched, COUNT is always there.
  const parts = ['ESEARCH', `(TAG "${options.tag}")`];
  if (options.uid) parts.push('UID');
  if (wanted.has('MIN') && first !== undefined) parts.push('MIN', String(number(first)));
  if (wanted.has('MAX') && last !== undefined) parts.push('MAX', String(number(last)));
  if (wanted.has('COUNT')) parts.push('COUNT', String(found.length));
  if (wanted.has('ALL') && found.length > 0) parts.push('ALL', formatSequenceSet(found.map(number)));
  // RFC 5267 4.4: the range asked for and what of the result falls in it (NIL when nothing does).
  const partial = options.partial ?? null;
  if (wanted.has('PARTIAL') && partial !== null) {
    const slice = found.slice(partial.low - 1, partial.high).map(number);
    const set = slice.length === 0 ? 'NIL' : formatSequenceSet(slice);
    parts.push('PARTIAL', `(${partial.low}:${partial.high} ${set})`);
  }
  // RFC 4731 3.2 / RFC 7162 3.1.5: MODSEQ is the highest of the messages the items report
  // (only MIN and/or MAX: of those; otherwise of every match).
  const modseq = highestModseq(reported);
  if (options.withModseq && modseq > 0) parts.push('MODSEQ', String(modseq));
  return { line: parts.join(' '), saved };
}

function highestModseq(messages: readonly Found[]): number {
  let highest = 0;
  for (const message of messages) highest = Math.max(highest, message.modseq);
  return highest;
}
