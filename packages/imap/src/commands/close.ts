import { SELECTED } from '../session/state.js';
import { userOf, viewOf, type CommandSpec } from './types.js';

/**
 * RFC 3501 6.4.2: silently expunges \Deleted messages (no EXPUNGE responses) unless the mailbox
 * was opened read-only, then returns to the authenticated state. RFC 7162 3.2.8: a QRESYNC
 * client is told a HIGHESTMODSEQ to resync from; the view's (every change up to it was told) is
 * the one that can miss nothing: the client's own expunges above it come back as VANISHED
 * (EARLIER) for UIDs it no longer has, which it ignores.
 */
export const closeCommand: CommandSpec<'CLOSE'> = {
  name: 'CLOSE',
  states: SELECTED,
  async handler(ctx) {
    const view = viewOf(ctx);
    const user = userOf(ctx);
    const highestModseq = view.highestModseq;
    ctx.setState({ kind: 'authenticated', user });
    if (!view.readOnly) {
      // Silent for the client, but each expunged message's Journey shows this OK as its end.
      for (const uid of await ctx.store.expunge(view.mailboxId)) ctx.link(view.mailboxId, uid, 'deleted');
    }
    return {
      code: ctx.enabled.has('QRESYNC') ? `HIGHESTMODSEQ ${highestModseq}` : null,
      text: 'CLOSE completed',
    };
  },
};
