import type { MaildropMessage } from '../maildrop.js';
import { parseMessageNumber, splitArguments } from '../parse.js';
import { REPLIES } from '../replies.js';
import type { TransactionState } from '../state.js';
import type { CommandContext } from './types.js';

/**
 * Resolve a message-number argument, replying -ERR (and returning null) when it is not a number,
 * names no message of the snapshot, or names one marked deleted (RFC 1939 5).
 */
export async function resolveMessage(
  ctx: CommandContext,
  state: TransactionState,
  text: string,
  usage: string,
): Promise<MaildropMessage | null> {
  const number = parseMessageNumber(text);
  if (number === null) {
    await ctx.reply(REPLIES.syntax(usage));
    return null;
  }
  const found = state.maildrop.lookup(number);
  if (found.ok) return found.message;
  await ctx.reply(found.reason === 'deleted' ? REPLIES.messageDeleted(number) : REPLIES.noSuchMessage);
  return null;
}

/** Arguments of a command that takes between `min` and `max` of them; null (after -ERR) otherwise. */
export async function expectArguments(
  ctx: CommandContext,
  rest: string,
  min: number,
  max: number,
  usage: string,
): Promise<string[] | null> {
  const args = splitArguments(rest);
  if (args.length >= min && args.length <= max) return args;
  await ctx.reply(REPLIES.syntax(usage));
  return null;
}
