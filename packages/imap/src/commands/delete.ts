import { AUTHENTICATED } from '../session/state.js';
import { userOf, type CommandSpec } from './types.js';

/**
 * RFC 3501 6.3.4: deleting INBOX is an error; a mailbox with children stays as a \Noselect name.
 * Sessions that have it selected learn of it through the change feed (the store's `mailbox` change).
 */
export const deleteCommand: CommandSpec<'DELETE'> = {
  name: 'DELETE',
  states: AUTHENTICATED,
  async handler(ctx, command) {
    await ctx.store.deleteMailbox(userOf(ctx).id, command.args.mailbox);
    return { text: 'DELETE completed' };
  },
};
