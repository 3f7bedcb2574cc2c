import { bad } from '../errors.js';
import {
  expandSequenceSet,
  indexesInSequenceSet,
  SAVED_RESULT,
  type SequenceArg,
} from '../protocol/sequence-set.js';
import type { MailboxView } from '../session/mailbox-view.js';

export interface Target {
  sequence: number;
  uid: number;
}

/**
 * The messages a sequence set names in the session's view. RFC 3501 6.4.8: with UID the numbers
 * are UIDs and ones that do not exist are ignored; otherwise they are sequence numbers, and a
 * number beyond the last message is an error (RFC 3501 9: seq-number within the mailbox size).
 */
export function resolveTargets(view: MailboxView, set: SequenceArg, byUid: boolean): Target[] {
  // RFC 5182 2.1: `$` is the saved result, with or without UID, minus what was expunged since.
  if (set === SAVED_RESULT) return savedTargets(view);
  if (byUid) {
    // The view's UIDs ascend: a UID's position is its sequence number - 1 (no search per UID).
    const uids = view.allUids;
    return indexesInSequenceSet(set, uids, view.highestUid).map((index) => ({
      uid: uids[index] as number,
      sequence: index + 1,
    }));
  }
  for (const range of set) {
    // A range with `*` (e.g. `1:*` on an empty mailbox) names what exists; a plain number
    // beyond the last message names nothing the client can know of.
    if (range.start === '*' || range.end === '*') continue;
    if (range.start > view.exists || range.end > view.exists) throw bad('Invalid message sequence number');
  }
  return expandSequenceSet(set, view.exists).map((sequence) => ({
    sequence,
    uid: view.uidAt(sequence) as number,
  }));
}

/** The saved result's messages still in the view, in sequence order (RFC 5182 2.1). */
export function savedTargets(view: MailboxView): Target[] {
  const targets: Target[] = [];
  for (const uid of view.savedResult) {
    const sequence = view.sequenceOf(uid);
    if (sequence !== null) targets.push({ sequence, uid });
  }
  return targets.sort((a, b) => a.sequence - b.sequence);
}
