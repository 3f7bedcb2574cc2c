/**
 * RFC 7162 3.2.5 / 3.2.6 (QRESYNC): which UIDs a client must hear have vanished since its
 * mod-sequence, for SELECT/EXAMINE (QRESYNC ...) and UID FETCH ... (CHANGEDSINCE n VANISHED).
 * The store keeps the UIDs expunged with their mod-sequence for months (docs/adr/0026); past
 * that, every UID the client may know that is no longer in the mailbox is named, narrowed by the
 * client's sequence-to-UID samples (3.2.5.2), which RFC 7162 allows: VANISHED (EARLIER) may name
 * UIDs the client never had, and the client ignores those.
 */
import type { QresyncParams } from '../protocol/commands.js';
import type { SequenceSet } from '../protocol/sequence-set.js';
import type { MailboxView } from '../session/mailbox-view.js';
import type { CommandContext } from './types.js';

/** Sorted, merged, within 1..top; `*` is `top`. */
function uidRanges(set: SequenceSet | null, top: number): Array<[number, number]> {
  if (top < 1) return [];
  if (set === null) return [[1, top]];
  const ranges = set
    .map(({ start, end }): [number, number] => {
      const a = start === '*' ? top : start;
      const b = end === '*' ? top : end;
      return [Math.max(1, Math.min(a, b)), Math.min(top, Math.max(a, b))];
    })
    .filter(([low, high]) => low <= high)
    .sort((x, y) => x[0] - y[0]);
  const merged: Array<[number, number]> = [];
  for (const range of ranges) {
    const last = merged.at(-1);
    if (last !== undefined && range[0] <= last[1] + 1) last[1] = Math.max(last[1], range[1]);
    else merged.push([range[0], range[1]]);
  }
  return merged;
}

function inRanges(ranges: ReadonlyArray<[number, number]>, uid: number): boolean {
  return ranges.some(([low, high]) => uid >= low && uid <= high);
}

/** The numbers of a set without `*`, in the order given, one at a time (never expanded). */
function* members(set: SequenceSet): Generator<number> {
  for (const { start, end } of set) {
    const a = Number(start);
    const b = Number(end);
    if (a <= b) for (let n = a; n <= b; n += 1) yield n;
    else for (let n = a; n >= b; n -= 1) yield n;
  }
}

/**
 * RFC 7162 3.2.5.2: the highest UID of the client's samples whose message number still maps to
 * it (and every sample before it too). No message below it can have been expunged since: its
 * number would have gone down. 0 when the first sample already differs.
 */
function lastMatchingUid(view: MailboxView, seqMatch: NonNullable<QresyncParams['seqMatch']>): number {
  const uids = members(seqMatch.uids);
  let matched = 0;
  for (const sequence of members(seqMatch.sequences)) {
    const uid = uids.next();
    if (uid.done === true || sequence > view.exists || uid.value <= matched) break;
    if (view.uidAt(sequence) !== uid.value) break;
    matched = uid.value;
  }
  return matched;
}

/**
 * The UIDs among `known` (all when null) expunged with a mod-sequence above `modseq`, ascending.
 * UIDs still in the view (expunged meanwhile, not yet announced) are left to the VANISHED that
 * will announce them.
 */
export async function vanishedSince(
  ctx: CommandContext,
  view: MailboxView,
  known: SequenceSet | null,
  modseq: number,
  seqMatch: QresyncParams['seqMatch'] = null,
): Promise<number[]> {
  const ranges = uidRanges(known, view.uidNextKnown - 1);
  if (ranges.length === 0) return [];
  const history = await ctx.store.expungedSince(view.mailboxId, modseq);
  if (history.complete)
    return history.uids.filter((uid) => inRanges(ranges, uid) && view.sequenceOf(uid) === null);
  const floor = seqMatch === null ? 0 : lastMatchingUid(view, seqMatch);
  const missing: number[] = [];
  for (const [low, high] of ranges)
    for (let uid = Math.max(low, floor + 1); uid <= high; uid += 1)
      if (view.sequenceOf(uid) === null) missing.push(uid);
  return missing;
}
