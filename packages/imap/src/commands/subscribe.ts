import { AUTHENTICATED } from '../session/state.js';
import { userOf, type CommandSpec } from './types.js';

/** RFC 3501 6.3.6. */
export const subscribeCommand: CommandSpec<'SUBSCRIBE'> = {
  name: 'SUBSCRIBE',
  states: AUTHENTICATED,
  async handler(ctx, command) {
    await ctx.store.setSubscribed(userOf(ctx).id, command.args.mailbox, true);
    return { text: 'SUBSCRIBE completed' };
  },
};
