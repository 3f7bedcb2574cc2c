import { untaggedStatus } from '../protocol/compiler.js';
import { SELECTED } from '../session/state.js';
import { copyUidCode } from './copy.js';
import { targetMailbox } from './mailbox-lookup.js';
import { resolveTargets } from './targets.js';
import { userOf, viewOf, type CommandContext, type CommandSpec } from './types.js';
import type { Mailbox } from '@minimail/store';

/**
 * RFC 6851 MOVE / UID MOVE: one atomic store operation; the client hears `* OK [COPYUID ...]`
 * first (RFC 6851 4.3), then an EXPUNGE for each moved message. A MOVE into the selected mailbox
 * itself is a COPY and an expunge of the originals (RFC 6851 3.3 makes no exception for it, and
 * Dovecot answers it so): COPYUID, the EXPUNGEs, then EXISTS for the copies.
 */
export const moveCommand: CommandSpec<'MOVE'> = {
  name: 'MOVE',
  states: SELECTED,
  writesSelected: true,
  async handler(ctx, command) {
    const view = viewOf(ctx);
    const target = await targetMailbox(ctx, userOf(ctx).id, command.args.mailbox);
    const uids = resolveTargets(view, command.args.sequence, command.uid).map((t) => t.uid);
    const verb = command.uid ? 'UID MOVE' : 'MOVE';
    if (uids.length === 0) return { text: `${verb} completed` };
    // Into itself: the copies are committed before the originals go, so a failure in between
    // leaves both (never neither); the store's move is for two different mailboxes.
    const result =
      target.id === view.mailboxId
        ? await ctx.store.copyMessages(view.mailboxId, uids, target.id)
        : await ctx.store.moveMessages(view.mailboxId, uids, target.id);
    if (target.id === view.mailboxId && result.sourceUids.length > 0)
      await ctx.store.expunge(view.mailboxId, result.sourceUids);
    notifyMoved(ctx, view.mailboxId, target, result.targetUids);
    result.sourceUids.forEach((uid, index) => {
      const copy = result.targetUids[index];
      ctx.link(
        view.mailboxId,
        uid,
        'moved',
        copy === undefined ? undefined : { mailboxId: target.id, uid: copy },
      );
    });
    const code = copyUidCode(result);
    if (code !== null) await ctx.send(untaggedStatus('OK', code, 'Moved'));
    await view.sendExpunged(result.sourceUids);
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
