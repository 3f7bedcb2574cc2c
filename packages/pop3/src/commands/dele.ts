import { REPLIES } from '../replies.js';
import { expectArguments, resolveMessage } from './arguments.js';
import type { CommandSpec } from './types.js';

/** RFC 1939 5: DELE msg marks a message; it is removed only in the UPDATE state after QUIT. */
export const DELE: CommandSpec = {
  name: 'DELE',
  handlers: {
    transaction: async (ctx, state, rest) => {
      const args = await expectArguments(ctx, rest, 1, 1, 'DELE msg');
      if (!args) return;
      const message = await resolveMessage(ctx, state, args[0] ?? '', 'DELE msg');
      if (!message) return;
      state.maildrop.markDeleted(message.number);
      ctx.link(state.maildrop.mailboxId, message.uid, 'marked-deleted');
      return ctx.reply(REPLIES.deleted(message.number));
    },
  },
};

/** RFC 1939 5: RSET unmarks every message marked deleted. */
export const RSET: CommandSpec = {
  name: 'RSET',
  handlers: {
    transaction: async (ctx, state, rest) => {
      if (!(await expectArguments(ctx, rest, 0, 0, 'RSET'))) return;
      state.maildrop.reset();
      const { count, octets } = state.maildrop.stat();
      return ctx.reply(REPLIES.reset(count, octets));
    },
  },
};

/** RFC 1939 5: NOOP, TRANSACTION state only. */
export const NOOP: CommandSpec = {
  name: 'NOOP',
  handlers: {
    transaction: async (ctx, _state, rest) => {
      if (!(await expectArguments(ctx, rest, 0, 0, 'NOOP'))) return;
      return ctx.reply(REPLIES.noop);
    },
  },
};
