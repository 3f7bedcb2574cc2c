import type { Mailbox } from '@minimail/store';
import { no } from '../errors.js';
import type { CommandContext } from './types.js';

/** A mailbox that can hold messages, or NO [NONEXISTENT] (RFC 5530) / NO for a \Noselect name. */
export async function openableMailbox(ctx: CommandContext, userId: number, name: string): Promise<Mailbox> {
  const mailbox = await ctx.store.getMailbox(userId, name);
  if (mailbox === null) throw no('No such mailbox', 'NONEXISTENT');
  if (mailbox.noselect) throw no('Mailbox cannot be selected (it only holds other mailboxes)', 'CANNOT');
  return mailbox;
}

/**
 * RFC 3501 6.4.7 / 6.3.11: the target of COPY, MOVE or APPEND. NO [TRYCREATE] when it does not
 * exist, so the client may CREATE it and retry.
 */
export async function targetMailbox(ctx: CommandContext, userId: number, name: string): Promise<Mailbox> {
  const mailbox = await ctx.store.getMailbox(userId, name);
  if (mailbox === null) throw no('Mailbox does not exist', 'TRYCREATE');
  if (mailbox.noselect) throw no('Mailbox cannot hold messages', 'CANNOT');
  return mailbox;
}
