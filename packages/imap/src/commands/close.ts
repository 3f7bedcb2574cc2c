import { SELECTED } from '../session/state.js';
import { userOf, viewOf, type CommandSpec } from './types.js';

/**
 * RFC 3501 6.4.2: silently expunges \Deleted messages (no EXPUNGE responses) unless the mailbox
 * was opened read-only, then returns to the authenticated state.
 */
export const closeCommand: CommandSpec<'CLOSE'> = {
  name: 'CLOSE',
  states: SELECTED,
  async handler(ctx) {
    const view = viewOf(ctx);
    const user = userOf(ctx);
    ctx.setState({ kind: 'authenticated', user });
    if (!view.readOnly) await ctx.store.expunge(view.mailboxId);
    return { text: 'CLOSE completed' };
  },
};
