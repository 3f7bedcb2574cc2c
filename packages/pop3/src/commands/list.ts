import { REPLIES } from '../replies.js';
import { expectArguments, resolveMessage } from './arguments.js';
import type { CommandSpec } from './types.js';

/** RFC 1939 5: LIST [msg] gives "number octets" for one message or every message not deleted. */
export const LIST: CommandSpec = {
  name: 'LIST',
  handlers: {
    transaction: async (ctx, state, rest) => {
      const args = await expectArguments(ctx, rest, 0, 1, 'LIST [msg]');
      if (!args) return;
      const [number] = args;
      if (number !== undefined) {
        const message = await resolveMessage(ctx, state, number, 'LIST [msg]');
        if (!message) return;
        ctx.link(state.maildrop.mailboxId, message.uid, 'listed');
        await ctx.reply(REPLIES.listOne(message.number, message.size));
        return;
      }
      const { count, octets } = state.maildrop.stat();
      const live = state.maildrop.live();
      for (const message of live) ctx.link(state.maildrop.mailboxId, message.uid, 'listed');
      const lines = live.map((message) => `${message.number} ${message.size}`);
      return ctx.replyLines(REPLIES.listHeader(count, octets), lines);
    },
  },
};

/** RFC 1939 7: UIDL [msg] gives "number unique-id", ids stable across sessions (see maildrop.ts). */
export const UIDL: CommandSpec = {
  name: 'UIDL',
  handlers: {
    transaction: async (ctx, state, rest) => {
      const args = await expectArguments(ctx, rest, 0, 1, 'UIDL [msg]');
      if (!args) return;
      const [number] = args;
      if (number !== undefined) {
        const message = await resolveMessage(ctx, state, number, 'UIDL [msg]');
        if (!message) return;
        ctx.link(state.maildrop.mailboxId, message.uid, 'listed');
        await ctx.reply(REPLIES.uidlOne(message.number, message.uniqueId));
        return;
      }
      const live = state.maildrop.live();
      for (const message of live) ctx.link(state.maildrop.mailboxId, message.uid, 'listed');
      const lines = live.map((message) => `${message.number} ${message.uniqueId}`);
      return ctx.replyLines(REPLIES.uidlHeader, lines);
    },
  },
};
