import { AUTHENTICATED } from '../session/state.js';
import { userOf, type CommandSpec } from './types.js';

/** RFC 3501 6.3.5: children are renamed too; renaming INBOX moves its messages to the new name. */
export const renameCommand: CommandSpec<'RENAME'> = {
  name: 'RENAME',
  states: AUTHENTICATED,
  async handler(ctx, command) {
    await ctx.store.renameMailbox(userOf(ctx).id, command.args.from, command.args.to);
    return { text: 'RENAME completed' };
  },
};
