import { SELECTED } from '../session/state.js';
import { resolveTargets } from './targets.js';
import { viewOf, type CommandSpec } from './types.js';

/**
 * RFC 3501 6.4.3 EXPUNGE and RFC 4315 2.1 UID EXPUNGE (only the named UIDs that are \Deleted).
 * Answered only after the store's commit is durable (DESIGN.md promise).
 */
export const expungeCommand: CommandSpec<'EXPUNGE'> = {
  name: 'EXPUNGE',
  states: SELECTED,
  writesSelected: true,
  async handler(ctx, command) {
    const view = viewOf(ctx);
    let removed: number[];
    const sequence = command.args.sequence;
    if (sequence === null) {
      removed = await ctx.store.expunge(view.mailboxId);
    } else {
      const targets = resolveTargets(view, sequence, true);
      // One read for all the targets, not one per message.
      const messages = await ctx.store.getMessages(
        view.mailboxId,
        targets.map((target) => target.uid),
      );
      const deleted = messages.filter((m) => m.flags.includes('\\Deleted')).map((m) => m.uid);
      removed = deleted.length === 0 ? [] : await ctx.store.expunge(view.mailboxId, deleted);
    }
    for (const uid of removed) ctx.link(view.mailboxId, uid, 'deleted');
    await view.sendExpunged(removed);
    return {
      // RFC 7162 3.2.7: a QRESYNC client learns the HIGHESTMODSEQ the expunge left, once every
      // change up to it was told (so a later resync from it misses nothing).
      code: ctx.enabled.has('QRESYNC') ? () => `HIGHESTMODSEQ ${view.highestModseq}` : null,
      text: `${command.uid ? 'UID EXPUNGE' : 'EXPUNGE'} completed`,
    };
  },
};
