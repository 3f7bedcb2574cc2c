import { no } from '../errors.js';
import { untagged, untaggedStatus } from '../protocol/compiler.js';
import { SELECTED } from '../session/state.js';
import { copyUidCode } from './copy.js';
import { targetMailbox } from './mailbox-lookup.js';
import { resolveTargets } from './targets.js';
import { userOf, viewOf, type CommandContext, type CommandSpec } from './types.js';
import type { Mailbox } from '@minimail/store';

/**
 * RFC 6851 MOVE / UID MOVE: one atomic store operation; the client hears `* OK [COPYUID ...]`
 * first (RFC 6851 4.3), then an EXPUNGE for each moved message.
 */
export const moveCommand: CommandSpec<'MOVE'> = {
  name: 'MOVE',
  states: SELECTED,
  async handler(ctx, command) {
    const view = viewOf(ctx);
    if (view.readOnly) throw no('Mailbox is read-only', 'READ-ONLY');
    const target = await targetMailbox(ctx, userOf(ctx).id, command.args.mailbox);
    const uids = resolveTargets(view, command.args.sequence, command.uid).map((t) => t.uid);
    const verb = command.uid ? 'UID MOVE' : 'MOVE';
    if (uids.length === 0) return { text: `${verb} completed` };
    const result = await ctx.store.moveMessages(view.mailboxId, uids, target.id);
    notifyMoved(ctx, view.mailboxId, target, result.targetUids);
    const code = copyUidCode(result);
    if (code !== null) await ctx.send(untaggedStatus('OK', code, 'Moved'));
    for (const sequence of view.removeMany(result.sourceUids))
      await ctx.send(untagged(`${sequence} EXPUNGE`));
    return { text: `${verb} completed` };
  },
};

/** The app's onMessagesMoved hook, after the commit; it never delays or fails the MOVE. */
function notifyMoved(ctx: CommandContext, fromId: number, to: Mailbox, targetUids: number[]): void {
  const hook = ctx.server.onMessagesMoved;
  if (!hook || targetUids.length === 0) return;
  void ctx.store
    .getMailboxById(fromId)
    .then((from) => {
      if (from) hook({ userId: to.userId, from, to, targetUids });
    })
    .catch((err: unknown) => ctx.logger.warn({ err }, 'onMessagesMoved hook failed'));
}
