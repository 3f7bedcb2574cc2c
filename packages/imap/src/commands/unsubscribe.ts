import { AUTHENTICATED } from '../session/state.js';
import { userOf, type CommandSpec } from './types.js';

/** RFC 3501 6.3.7. */
export const unsubscribeCommand: CommandSpec<'UNSUBSCRIBE'> = {
  name: 'UNSUBSCRIBE',
  states: AUTHENTICATED,
  async handler(ctx, command) {
    await ctx.store.setSubscribed(userOf(ctx).id, command.args.mailbox, false);
    return { text: 'UNSUBSCRIBE completed' };
  },
};
