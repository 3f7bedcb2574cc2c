import { REPLIES } from '../replies.js';
import { expectArguments } from './arguments.js';
import type { CommandSpec } from './types.js';

/** RFC 1939 5: STAT answers "+OK count octets" over the messages not marked deleted. */
export const STAT: CommandSpec = {
  name: 'STAT',
  handlers: {
    transaction: async (ctx, state, rest) => {
      if (!(await expectArguments(ctx, rest, 0, 0, 'STAT'))) return;
      const { count, octets } = state.maildrop.stat();
      return ctx.reply(REPLIES.stat(count, octets));
    },
  },
};
