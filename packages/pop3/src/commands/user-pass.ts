import { plaintextAuthAllowed } from '../capabilities.js';
import { logIn } from '../login.js';
import { splitArguments } from '../parse.js';
import { REPLIES } from '../replies.js';
import type { CommandSpec } from './types.js';

/** RFC 1939 7: USER name. Accepted for any name; PASS decides (no account probing). */
export const USER: CommandSpec = {
  name: 'USER',
  handlers: {
    authorization: async (ctx, _state, rest) => {
      if (!plaintextAuthAllowed(ctx.security)) return ctx.reply(REPLIES.plaintextNeedsTls);
      const args = splitArguments(rest);
      const [name] = args;
      if (name === undefined || args.length !== 1) return ctx.reply(REPLIES.syntax('USER name'));
      ctx.setState({ kind: 'authorization', pendingUser: name });
      return ctx.reply(REPLIES.userAccepted);
    },
  },
};

/**
 * RFC 1939 7: PASS string, right after a successful USER. The whole rest of the line is the
 * password, spaces included. Whatever the outcome, the USER name is used up.
 */
export const PASS: CommandSpec = {
  name: 'PASS',
  handlers: {
    authorization: async (ctx, state, rest) => {
      if (!plaintextAuthAllowed(ctx.security)) return ctx.reply(REPLIES.plaintextNeedsTls);
      const user = state.pendingUser;
      if (user === null) return ctx.reply(REPLIES.passWithoutUser);
      ctx.setState({ kind: 'authorization', pendingUser: null });
      if (rest === '') return ctx.reply(REPLIES.syntax('PASS string'));
      return logIn(ctx, user, rest);
    },
  },
};
