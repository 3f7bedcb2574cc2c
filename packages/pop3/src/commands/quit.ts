import { REPLIES } from '../replies.js';
import type { CommandSpec } from './types.js';

/**
 * RFC 1939 6: QUIT. From AUTHORIZATION it just ends the session. From TRANSACTION it enters the
 * UPDATE state: every message marked deleted is removed in one durable transaction, and only then
 * is "+OK" sent. If the removal fails, nothing was removed (the transaction is atomic) and the
 * client hears -ERR [SYS/TEMP]; the session ends either way.
 */
export const QUIT: CommandSpec = {
  name: 'QUIT',
  handlers: {
    authorization: async (ctx) => {
      ctx.close();
      return ctx.reply(REPLIES.signOffAuthorization);
    },
    transaction: async (ctx, state) => {
      const { user, maildrop } = state;
      ctx.close();
      const uids = maildrop.deletedUids();
      ctx.setState({ kind: 'update', user, retrieved: maildrop.retrieved, deleted: 0 });
      try {
        // The store expunges in one commit and tells every other session (IMAP too) via its change feed.
        if (uids.length > 0) await ctx.services.store.expunge(maildrop.mailboxId, uids);
      } catch (error) {
        ctx.logger.error({ err: error, user: user.address }, 'pop3 update failed');
        return ctx.reply(REPLIES.updateFailed);
      }
      ctx.setState({ kind: 'update', user, retrieved: maildrop.retrieved, deleted: uids.length });
      for (const uid of uids) ctx.link(maildrop.mailboxId, uid, 'deleted');
      // Unlock before "+OK", so a client that reconnects at once finds its maildrop free.
      await ctx.releaseMaildrop();
      return ctx.reply(REPLIES.signOff(maildrop.stat().count));
    },
  },
};
