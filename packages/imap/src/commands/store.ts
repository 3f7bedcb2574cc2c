import { no } from '../errors.js';
import { storableFlags } from '../flags.js';
import { atom, fetchResponse, type ResponseValue } from '../protocol/compiler.js';
import { SELECTED } from '../session/state.js';
import { resolveTargets } from './targets.js';
import { viewOf, type CommandSpec } from './types.js';

/**
 * RFC 3501 6.4.6 STORE and UID STORE: FLAGS / +FLAGS / -FLAGS with optional .SILENT. Each
 * message named gets an untagged FETCH with its flags unless .SILENT (UID STORE adds the UID).
 */
export const storeCommand: CommandSpec<'STORE'> = {
  name: 'STORE',
  states: SELECTED,
  expungeNotices: 'uidOnly',
  async handler(ctx, command) {
    const view = viewOf(ctx);
    // RFC 3501 6.3.2: EXAMINE opens the mailbox read-only; flags cannot change.
    if (view.readOnly) throw no('Mailbox is read-only', 'READ-ONLY');
    const { sequence, operation, silent } = command.args;
    const flags = storableFlags(command.args.flags);
    const targets = resolveTargets(view, sequence, command.uid);
    const changed =
      targets.length === 0
        ? []
        : await ctx.store.setFlags(
            view.mailboxId,
            targets.map((t) => t.uid),
            operation,
            flags,
          );
    const changedByUid = new Map(changed.map((message) => [message.uid, message.flags]));
    for (const target of targets) {
      const newFlags = changedByUid.get(target.uid);
      if (newFlags) view.rememberFlags(target.uid, newFlags);
      if (silent) continue;
      const current = newFlags ?? view.flagsOf(target.uid);
      const items: Array<readonly [string, ResponseValue]> = [];
      if (command.uid) items.push(['UID', target.uid]);
      items.push(['FLAGS', view.withRecent(target.uid, current).map((flag) => atom(flag))]);
      await ctx.send(fetchResponse(target.sequence, items));
    }
    return { text: `${command.uid ? 'UID STORE' : 'STORE'} completed` };
  },
};
