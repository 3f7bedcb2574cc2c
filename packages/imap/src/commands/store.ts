import type { ConditionalFlagResult, FlagMode, MessageSummary } from '@minimail/store';
import { storableFlags } from '../flags.js';
import { atom } from '../protocol/compiler.js';
import { formatSequenceSet } from '../protocol/sequence-set.js';
import type { FetchEntry, MailboxView } from '../session/mailbox-view.js';
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
 * .SILENT (3.1.3 for a conditional STORE; Example 14 in 3.1.4.2 for a plain one). .SILENT is a
 * SHOULD NOT (RFC 3501 6.4.6): when another session changed the message too, so that the result
 * is not what the client can work out from its own change, the FLAGS are sent all the same.
 */
export const storeCommand: CommandSpec<'STORE'> = {
  name: 'STORE',
  states: SELECTED,
  // RFC 3501 6.3.2: EXAMINE opens the mailbox read-only; flags cannot change.
  writesSelected: true,
  expungeNotices: 'uidOnly',
  async handler(ctx, command) {
    const view = viewOf(ctx);
    const { sequence, operation, silent, unchangedSince } = command.args;
    // RFC 7162 3.1: STORE with UNCHANGEDSINCE is a CONDSTORE enabling command.
    if (unchangedSince !== null) await ctx.enable('CONDSTORE');
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
    for (const message of result.changed) ctx.link(view.mailboxId, message.uid, 'flagged');
    await announce(ctx, view, targets, result, { byUid: command.uid, silent, operation, flags });
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

interface StoreRequest {
  byUid: boolean;
  silent: boolean;
  operation: FlagMode;
  flags: readonly string[];
}

/** The untagged FETCH responses of one STORE, in the order the targets were named. */
async function announce(
  ctx: CommandContext,
  view: MailboxView,
  targets: readonly Target[],
  result: ConditionalFlagResult,
  request: StoreRequest,
): Promise<void> {
  const condstore = ctx.enabled.has('CONDSTORE');
  const changed = new Map(result.changed.map((message) => [message.uid, message]));
  const unchanged = new Map(result.unchanged.map((message) => [message.uid, message]));
  const modified = new Set(result.modified);
  // The client uses the keywords it stores: it is told of new ones even when a .SILENT STORE
  // sends no FETCH (or its message was expunged meanwhile), RFC 3501 7.2.6.
  if (request.operation !== 'remove' && result.modified.length < targets.length)
    await view.announceKeywords([request.flags]);
  for (const target of targets) {
    // RFC 7162 3.1.3: a message that failed the test is only named in MODIFIED.
    if (modified.has(target.uid)) continue;
    const updated = changed.get(target.uid);
    const current: MessageSummary | undefined = updated ?? unchanged.get(target.uid);
    const told = view.flagsOf(target.uid);
    // Expunged by another session (not announced yet): nothing changed, the client is told what it knew.
    if (current === undefined) {
      if (!request.silent) await sendFlags(view, target, told ?? [], null, request.byUid || condstore, false);
      continue;
    }
    // Never a MODSEQ below one the client was told (RFC 7162 3.1).
    const modseq = Math.max(current.modseq, view.modseqOf(target.uid));
    const expected = expectedFlags(told, request);
    const surprising = expected === null ? false : !sameFlags(expected, current.flags);
    if (!request.silent || surprising) {
      await sendFlags(
        view,
        target,
        current.flags,
        condstore ? modseq : null,
        request.byUid || condstore,
        true,
        modseq,
      );
      continue;
    }
    // .SILENT: the client knows the result; the view remembers it (and announces a new keyword).
    // RFC 7162 3.1.3 / 3.1.4.2 Example 14: a changed message's new MODSEQ is told even with
    // .SILENT, and so is one that moved since the client last heard (flags set back as they were),
    // for the view now counts it as told.
    const newModseq = modseq > view.modseqOf(target.uid);
    await view.remember(target.uid, { flags: current.flags, modseq });
    if (condstore && (updated || newModseq))
      await view.sendFetch(
        target.sequence,
        [
          ['UID', target.uid],
          ['MODSEQ', [modseq]],
        ],
        null,
      );
  }
}

async function sendFlags(
  view: MailboxView,
  target: Target,
  flags: readonly string[],
  modseq: number | null,
  withUid: boolean,
  remember: boolean,
  toldModseq = 0,
): Promise<void> {
  const items: FetchEntry[] = [];
  // RFC 7162 3.2.4 (asked of CONDSTORE-only servers by 3.1.4.2): the UID in every untagged FETCH.
  if (withUid) items.push(['UID', target.uid]);
  items.push(['FLAGS', view.withRecent(target.uid, flags).map((flag) => atom(flag))]);
  if (modseq !== null) items.push(['MODSEQ', [modseq]]);
  await view.sendFetch(target.sequence, items, remember ? { flags, modseq: toldModseq } : null);
}

/** The flags the client can work out after its own STORE, or null when it cannot (it knew none). */
function expectedFlags(told: readonly string[] | null, request: StoreRequest): readonly string[] | null {
  if (request.operation === 'replace') return request.flags;
  if (told === null) return null;
  if (request.operation === 'add') return [...new Set([...told, ...request.flags])];
  return told.filter((flag) => !request.flags.includes(flag));
}

function sameFlags(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((flag) => set.has(flag));
}
