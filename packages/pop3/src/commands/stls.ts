import { REPLIES } from '../replies.js';
import type { CommandSpec } from './types.js';

/** RFC 2595 4: STLS, only in the AUTHORIZATION state and only once. */
export const STLS: CommandSpec = {
  name: 'STLS',
  handlers: {
    authorization: async (ctx, _state, rest) => {
      if (rest.trim() !== '') return ctx.reply(REPLIES.syntax('STLS'));
      if (ctx.security.secure) return ctx.reply(REPLIES.stlsAlreadyActive);
      if (!ctx.security.stlsConfigured) return ctx.reply(REPLIES.stlsUnavailable);
      return ctx.startTls();
    },
  },
};
