import type { ConditionalFlagResult, MessageSummary } from '@minimail/store';
import { no } from '../errors.js';
import { storableFlags } from '../flags.js';
import { atom, fetchResponse, type ResponseValue } from '../protocol/compiler.js';
import { formatSequenceSet } from '../protocol/sequence-set.js';
import type { MailboxView } from '../session/mailbox-view.js';
import { SELECTED } from '../session/state.js';
import { resolveTargets, type Target } from './targets.js';
import { viewOf, type CommandContext, type CommandSpec } from './types.js';

/**
 * A STORE without UNCHANGEDSINCE is the conditional store with a bound no message can exceed:
 * one store call, in one transaction, that also returns the messages left as they were (their
 * modseq is needed for the MODSEQ item of a CONDSTORE-aware session).
 */
const NO_CONDITION = Number.MAX_SAFE_INTEGER;

/**
 * RFC 3501 6.4.6 STORE and UID STORE: FLAGS / +FLAGS / -FLAGS with optional .SILENT, and the
 * RFC 7162 3.1.3 UNCHANGEDSINCE modifier. Each message named gets an untagged FETCH with its flags
 * unless .SILENT (UID STORE adds the UID); on a CONDSTORE-aware session each carries UID and
 * MODSEQ (3.2.4), and a message whose flags changed is announced with its new MODSEQ even with
 * .SILENT (3.1.3 for a conditional STORE; Example 14 in 3.1.4.2 for a plain one).
 */
export const storeCommand: CommandSpec<'STORE'> = {
  name: 'STORE',
  states: SELECTED,
  expungeNotices: 'uidOnly',
  async handler(ctx, command) {
    const view = viewOf(ctx);
    // RFC 3501 6.3.2: EXAMINE opens the mailbox read-only; flags cannot change.
    if (view.readOnly) throw no('Mailbox is read-only', 'READ-ONLY');
    const { sequence, operation, silent, unchangedSince } = command.args;
    // RFC 7162 3.1: STORE with UNCHANGEDSINCE is a CONDSTORE enabling command.
    if (unchangedSince !== null) await ctx.enableCondstore();
    const flags = storableFlags(command.args.flags);
    const targets = resolveTargets(view, sequence, command.uid);
    const result: ConditionalFlagResult =
      targets.length === 0
        ? { changed: [], unchanged: [], modified: [] }
        : await ctx.store.setFlagsUnchangedSince(
            view.mailboxId,
            targets.map((t) => t.uid),
            operation,
            flags,
            unchangedSince ?? NO_CONDITION,
          );
    await announce(ctx, view, targets, result, { byUid: command.uid, silent });
    const name = command.uid ? 'UID STORE' : 'STORE';
    if (result.modified.length === 0) return { text: `${name} completed` };
    // RFC 7162 3.1.3: the messages that failed the test, as sequence numbers or (UID STORE) UIDs.
    const modified = new Set(result.modified);
    const failed = targets
      .filter((target) => modified.has(target.uid))
      .map((target) => (command.uid ? target.uid : target.sequence))
      .sort((a, b) => a - b);
    return { code: `MODIFIED ${formatSequenceSet(failed)}`, text: `Conditional ${name} failed` };
  },
};

/** The untagged FETCH responses of one STORE, in the order the targets were named. */
async function announce(
  ctx: CommandContext,
  view: MailboxView,
  targets: readonly Target[],
  result: ConditionalFlagResult,
  { byUid, silent }: { byUid: boolean; silent: boolean },
): Promise<void> {
  const condstore = ctx.condstoreEnabled;
  const changed = new Map(result.changed.map((message) => [message.uid, message]));
  const unchanged = new Map(result.unchanged.map((message) => [message.uid, message]));
  const modified = new Set(result.modified);
  for (const target of targets) {
    // RFC 7162 3.1.3: a message that failed the test is only named in MODIFIED.
    if (modified.has(target.uid)) continue;
    const updated = changed.get(target.uid);
    const current: MessageSummary | undefined = updated ?? unchanged.get(target.uid);
    // The client knows the flags it has just set (even with .SILENT) and those it is told below.
    if (current && (updated || !silent)) view.rememberFlags(target.uid, current.flags);
    // RFC 7162 3.1.3 / 3.1.4.2 Example 14: a changed message's new MODSEQ is told even with .SILENT.
    if (silent && !(condstore && updated)) continue;
    const items: Array<readonly [string, ResponseValue]> = [];
    // RFC 7162 3.2.4 (asked of CONDSTORE-only servers by 3.1.4.2): the UID in every untagged FETCH.
    if (byUid || condstore) items.push(['UID', target.uid]);
    if (!silent) {
      const flags = current?.flags ?? view.flagsOf(target.uid);
      items.push(['FLAGS', view.withRecent(target.uid, flags).map((flag) => atom(flag))]);
    }
    // A message expunged by another session has no summary left: it is answered without MODSEQ.
    if (condstore && current) items.push(['MODSEQ', [current.modseq]]);
    if (items.length > 0) await ctx.send(fetchResponse(target.sequence, items));
  }
}
