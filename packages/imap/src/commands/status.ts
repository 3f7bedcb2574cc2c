import type { Mailbox } from '@minimail/store';
import { mailboxObjectId } from '../object-id.js';
import type { StatusItem } from '../protocol/commands.js';
import { atom, untagged, type ResponseValue } from '../protocol/compiler.js';
import { assertRev2StatusItems } from '../session/rev2.js';
import { AUTHENTICATED } from '../session/state.js';
import { mailboxNameOut } from './mailbox-name.js';
import { openableMailbox } from './mailbox-lookup.js';
import { userOf, type CommandContext, type CommandSpec } from './types.js';

/** RFC 3501 6.3.10: the items in the order asked (RFC 7162 3.1.7 adds HIGHESTMODSEQ). */
export const statusCommand: CommandSpec<'STATUS'> = {
  name: 'STATUS',
  states: AUTHENTICATED,
  async handler(ctx, command) {
    assertRev2StatusItems(ctx.enabled, command.args.items);
    const mailbox = await openableMailbox(ctx, userOf(ctx).id, command.args.mailbox);
    await ctx.send(await statusResponse(ctx, mailbox, command.args.items));
    return { text: 'STATUS completed' };
  },
};

/**
 * `* STATUS name (item value ...)` for one mailbox: what STATUS answers and what LIST-STATUS
 * (RFC 5819) sends after a mailbox's LIST line.
 */
export async function statusResponse(
  ctx: CommandContext,
  mailbox: Mailbox,
  requested: readonly StatusItem[],
): Promise<Buffer> {
  // RFC 7162 3.1: STATUS (HIGHESTMODSEQ) is a CONDSTORE enabling command.
  if (requested.includes('HIGHESTMODSEQ')) await ctx.enable('CONDSTORE');
  const status = await ctx.store.mailboxStatus(mailbox.id);
  const state = ctx.state;
  const recent =
    state.kind === 'selected' && state.view.mailboxId === mailbox.id
      ? state.view.recentCount
      : await ctx.server.recent.countUnclaimed(mailbox.id, status.uidNext, status.messages);
  const values: Record<StatusItem, ResponseValue> = {
    MESSAGES: status.messages,
    RECENT: recent,
    UIDNEXT: status.uidNext,
    UIDVALIDITY: status.uidValidity,
    UNSEEN: status.unseen,
    HIGHESTMODSEQ: status.highestModseq,
    // RFC 8474 4.3: status-att-val =/ "MAILBOXID" SP "(" objectid ")".
    MAILBOXID: [atom(mailboxObjectId(mailbox))],
    // RFC 8438: the total RFC822.SIZE of the mailbox's messages.
    SIZE: status.size,
    // RFC 9208 4.2.3/4.2.4: messages with \Deleted, and what expunging them would free, in the
    // 1024-octet units of STORAGE (rounded up, as GETQUOTA's usage is).
    DELETED: status.deleted,
    'DELETED-STORAGE': Math.ceil(status.deletedSize / 1024),
  };
  const items: ResponseValue[] = requested.flatMap((item) => [atom(item), values[item]]);
  return untagged('STATUS', mailboxNameOut(ctx, mailbox.name), items);
}
