import { topOfMessage } from '../byte-stuffing.js';
import { parseLineCount } from '../parse.js';
import { REPLIES } from '../replies.js';
import { checkArguments, checkMessage, expectArguments, resolveMessage } from './arguments.js';
import type { CommandSpec } from './types.js';

/**
 * RFC 1939 5: RETR msg sends the whole message, dot-stuffed. The size in the status line is the
 * same octet count LIST reports: the stored CRLF form, before stuffing.
 */
export const RETR: CommandSpec = {
  name: 'RETR',
  handlers: {
    transaction: async (ctx, state, rest) => {
      // Every step before the reply is synchronous when the body was read ahead (the usual case
      // for a downloading client): the command costs the client no promise turns beyond the write.
      const args = checkArguments(rest, 1, 1, 'RETR msg');
      if (!args.ok) return ctx.reply(args.reply);
      const checked = checkMessage(state, args.value[0] ?? '', 'RETR msg');
      if (!checked.ok) return ctx.reply(checked.reply);
      const message = checked.value;
      const body = state.readAhead.take(message) ?? (await state.readAhead.read(message));
      ctx.link(state.maildrop.mailboxId, message.uid, 'read');
      await ctx.replyBody(REPLIES.retrHeader(message.size), body);
      // Bookkeeping once the reply is with the socket, where the client no longer waits for it.
      state.maildrop.retrieved += 1;
      ctx.services.metrics?.message('out', body.length);
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
      ctx.link(state.maildrop.mailboxId, message.uid, 'read');
      return ctx.replyBody(REPLIES.topHeader, topOfMessage(body, lines));
    },
  },
};
