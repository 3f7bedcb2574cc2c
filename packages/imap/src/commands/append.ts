import { SpoolError, type Logger } from '@minimail/protocol';
import type { DeliveryRequest } from '@minimail/store';
import { no } from '../errors.js';
import { storableFlags } from '../flags.js';
import { responseCode } from '../protocol/compiler.js';
import { isSpooled, type Literal } from '../protocol/frame.js';
import { AUTHENTICATED } from '../session/state.js';
import { targetMailbox } from './mailbox-lookup.js';
import { userOf, type CommandSpec } from './types.js';

/**
 * RFC 3501 6.3.11 APPEND with flags and date, answered with RFC 4315 APPENDUID once the message
 * is durably stored. The literal (synchronizing `+` or LITERAL+) was read by the assembler; a
 * large one into a spool file (docs/adr/0027), which the store reads from and the command stream
 * removes once this command is answered.
 */
export const appendCommand: CommandSpec<'APPEND'> = {
  name: 'APPEND',
  states: AUTHENTICATED,
  async handler(ctx, command) {
    const { mailbox: name, flags, internalDate, message } = command.args;
    if (message.length === 0) throw no('Empty message');
    const mailbox = await targetMailbox(ctx, userOf(ctx).id, name);
    const request: DeliveryRequest = {
      ...(await messageSource(message, ctx.logger)),
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

/** The message as the store takes it: its bytes, or its spool file once all of it is on disk. */
async function messageSource(
  message: Literal,
  logger: Logger,
): Promise<Pick<DeliveryRequest, 'raw' | 'spooled'>> {
  if (!isSpooled(message)) return { raw: message };
  try {
    const outcome = await message.writer.finish();
    return outcome.kind === 'file'
      ? { spooled: { path: outcome.path } }
      : { raw: Buffer.concat(outcome.chunks, outcome.size) };
  } catch (error) {
    if (error instanceof SpoolError) {
      // RFC 5530 3 UNAVAILABLE: the disk is full or failing; the client may retry later. The
      // operator is told: nothing else would show that the spool's disk is full.
      logger.error({ err: error }, 'APPEND refused: the spool file could not be written');
      throw no('Cannot receive the message now, try again later', 'UNAVAILABLE');
    }
    throw error;
  }
}
