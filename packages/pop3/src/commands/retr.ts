import { topOfMessage } from '../byte-stuffing.js';
import { parseLineCount } from '../parse.js';
import { REPLIES } from '../replies.js';
import { expectArguments, resolveMessage } from './arguments.js';
import type { CommandSpec } from './types.js';

/**
 * RFC 1939 5: RETR msg sends the whole message, dot-stuffed. The size in the status line is the
 * same octet count LIST reports: the stored CRLF form, before stuffing.
 */
export const RETR: CommandSpec = {
  name: 'RETR',
  handlers: {
    transaction: async (ctx, state, rest) => {
      const args = await expectArguments(ctx, rest, 1, 1, 'RETR msg');
      if (!args) return;
      const message = await resolveMessage(ctx, state, args[0] ?? '', 'RETR msg');
      if (!message) return;
      const body = await state.readAhead.read(message);
      state.maildrop.retrieved += 1;
      ctx.services.metrics?.message('out', body.length);
      await ctx.replyBody(REPLIES.retrHeader(message.size), body);
      // Download clients ask for the messages in order, one round trip each (read-ahead.ts).
      state.readAhead.prefetch(state.maildrop.nextLive(message.number));
    },
  },
};

/** RFC 1939 7: TOP msg n sends the header, the blank line, and the first n lines of the body. */
export const TOP: CommandSpec = {
  name: 'TOP',
  handlers: {
    transaction: async (ctx, state, rest) => {
      const args = await expectArguments(ctx, rest, 2, 2, 'TOP msg n');
      if (!args) return;
      const [numberText = '', linesText = ''] = args;
      const lines = parseLineCount(linesText);
      if (lines === null) return ctx.reply(REPLIES.syntax('TOP msg n'));
      const message = await resolveMessage(ctx, state, numberText, 'TOP msg n');
      if (!message) return;
      const body = await ctx.services.store.readBody(message.bodyHash);
      return ctx.replyBody(REPLIES.topHeader, topOfMessage(body, lines));
    },
  },
};
