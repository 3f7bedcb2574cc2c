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
    const user = userOf(ctx);
    const mailbox = await targetMailbox(ctx, user.id, name);
    // RFC 9208 4.4 / RFC 5530 3: refused with [OVERQUOTA] when storing it would pass the limit.
    // Checked before the write (not in its transaction): concurrent APPENDs may pass by one message.
    const quota = await ctx.store.getQuota(user.address);
    if (quota.limitBytes !== null && quota.usedBytes + message.length > quota.limitBytes) {
      throw no('Quota exceeded', 'OVERQUOTA');
    }
    const request = {
      raw: message,
      targets: [{ mailboxId: mailbox.id }],
      flags: storableFlags(flags),
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
