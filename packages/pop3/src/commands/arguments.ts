import type { MaildropMessage } from '../maildrop.js';
import { parseMessageNumber, splitArguments } from '../parse.js';
import { REPLIES } from '../replies.js';
import type { TransactionState } from '../state.js';
import type { CommandContext } from './types.js';

/** A checked argument, or the -ERR line that answers a bad one. */
export type Checked<T> = { ok: true; value: T } | { ok: false; reply: string };

/**
 * Resolve a message-number argument: -ERR when it is not a number, names no message of the
 * snapshot, or names one marked deleted (RFC 1939 5). Synchronous: the check needs no I/O.
 */
export function checkMessage(state: TransactionState, text: string, usage: string): Checked<MaildropMessage> {
  const number = parseMessageNumber(text);
  if (number === null) return { ok: false, reply: REPLIES.syntax(usage) };
  const found = state.maildrop.lookup(number);
  if (found.ok) return { ok: true, value: found.message };
  return {
    ok: false,
    reply: found.reason === 'deleted' ? REPLIES.messageDeleted(number) : REPLIES.noSuchMessage,
  };
}

/** Arguments of a command that takes between `min` and `max` of them, or the -ERR for others. */
export function checkArguments(rest: string, min: number, max: number, usage: string): Checked<string[]> {
  const args = splitArguments(rest);
  if (args.length >= min && args.length <= max) return { ok: true, value: args };
  return { ok: false, reply: REPLIES.syntax(usage) };
}

/** checkMessage, replying the -ERR (and returning null) itself. */
export async function resolveMessage(
  ctx: CommandContext,
  state: TransactionState,
  text: string,
  usage: string,
): Promise<MaildropMessage | null> {
  const checked = checkMessage(state, text, usage);
  if (checked.ok) return checked.value;
  await ctx.reply(checked.reply);
  return null;
}

/** checkArguments, replying the -ERR (and returning null) itself. */
export async function expectArguments(
  ctx: CommandContext,
  rest: string,
  min: number,
  max: number,
  usage: string,
): Promise<string[] | null> {
  const checked = checkArguments(rest, min, max, usage);
  if (checked.ok) return checked.value;
  await ctx.reply(checked.reply);
  return null;
}
