import { no } from '../errors.js';
import { storableFlags } from '../flags.js';
import { responseCode } from '../protocol/compiler.js';
import { AUTHENTICATED } from '../session/state.js';
import { targetMailbox } from './mailbox-lookup.js';
import { userOf, type CommandSpec } from './types.js';

/**
 * RFC 3501 6.3.11 APPEND with flags and date, answered with RFC 4315 APPENDUID once the message
 * is durably stored. The literal (synchronizing `+` or LITERAL+) was read by the assembler.
 */
export const appendCommand: CommandSpec<'APPEND'> = {
  name: 'APPEND',
  states: AUTHENTICATED,
  async handler(ctx, command) {
    const { mailbox: name, flags, internalDate, message } = command.args;
    if (message.length === 0) throw no('Empty message');
    const mailbox = await targetMailbox(ctx, userOf(ctx).id, name);
    // RFC 9208 4.4 / RFC 5530 3: a message that would pass a limit is refused with [OVERQUOTA]
    // (the store's OVER_QUOTA, checked inside the write transaction: concurrent APPENDs cannot
    // pass a limit together).
    const request = {
      raw: message,
      targets: [{ mailboxId: mailbox.id }],
      flags: storableFlags(flags),
      quota: 'enforce' as const,
      ...(internalDate === null ? {} : { internalDate }),
    };
    const result = await ctx.store.deliver(request);
    const copy = result.copies[0];
    if (!copy) throw new Error('store.deliver made no copy for APPEND');
    // Counted once durably stored: a refused or failed APPEND received nothing.
    ctx.server.metrics?.message('in', message.length);
    return { code: responseCode('APPENDUID', copy.uidValidity, copy.uid), text: 'APPEND completed' };
  },
};
