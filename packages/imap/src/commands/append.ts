import type { DeliveryRequest } from '@minimail/store';
import { bad, no } from '../errors.js';
import { storableFlags } from '../flags.js';
import { atom, responseCode } from '../protocol/compiler.js';
import { AUTHENTICATED } from '../session/state.js';
import { catenateMessage } from './catenate.js';
import { messageSource } from './literal-source.js';
import { targetMailbox } from './mailbox-lookup.js';
import { userOf, type CommandSpec } from './types.js';

/**
 * RFC 3501 6.3.11 APPEND with flags and date, RFC 3502 MULTIAPPEND (several messages, all or
 * none: one store transaction, `store.deliverAll`) and RFC 3516 literal8 messages (`~{n}`, stored
 * byte for byte; RFC 6855 4 `UTF8 (~{n})` alike once UTF8=ACCEPT is enabled) and RFC 4469 CATENATE
 * messages (commands/catenate.ts), answered with RFC 4315 APPENDUID once the messages are durably
 * stored. Every literal (synchronizing `+` or LITERAL+) was read by the assembler before the handler runs.
 * A large message (or CATENATE TEXT part) was read into a spool file (docs/adr/0027), which the
 * store reads from (a CATENATE message is assembled in memory) and the command stream removes once
 * this command is answered.
 */
export const appendCommand: CommandSpec<'APPEND'> = {
  name: 'APPEND',
  states: AUTHENTICATED,
  async handler(ctx, command) {
    const { mailbox: name, messages } = command.args;
    // RFC 6855 4: the UTF8 data item is for clients that enabled UTF8=ACCEPT.
    if (messages.some((message) => message.utf8) && !ctx.enabled.has('UTF8=ACCEPT'))
      throw bad('APPEND UTF8 needs ENABLE UTF8=ACCEPT first');
    // Checked before anything is stored: RFC 3502 3 "none of the messages are appended".
    const empty = (index: number) =>
      no(messages.length === 1 ? 'Empty message' : `Message ${index + 1} is empty`);
    messages.forEach(({ message, catenate }, index) => {
      if (catenate === undefined && message.length === 0) throw empty(index);
    });
    const mailbox = await targetMailbox(ctx, userOf(ctx).id, name);
    // RFC 4469 3: a CATENATE message that cannot be assembled fails the whole command. All of
    // each message is on disk (or in memory) before any is stored.
    const requests = [];
    const sources: Array<Pick<DeliveryRequest, 'raw' | 'spooled'>> = [];
    for (const [index, { message: literal, catenate, flags, internalDate }] of messages.entries()) {
      const message = catenate === undefined ? literal : await catenateMessage(ctx, catenate);
      if (message.length === 0) throw empty(index);
      requests.push({ message, flags: storableFlags(flags), internalDate });
      sources.push(await messageSource(message, ctx.logger));
    }
    // RFC 9208 4.4 / RFC 5530 3: messages that would pass a limit are refused with [OVERQUOTA]
    // (the store's OVER_QUOTA, checked inside the write transaction, message after message, so
    // neither a MULTIAPPEND nor concurrent APPENDs can pass a limit; all or none are stored).
    const results = await ctx.store.deliverAll(
      requests.map(({ flags, internalDate }, index) => ({
        ...sources[index],
        targets: [{ mailboxId: mailbox.id }],
        flags,
        quota: 'enforce' as const,
        ...(internalDate === null ? {} : { internalDate }),
      })),
    );
    const copies = results.map((result) => {
      const copy = result.copies[0];
      if (!copy) throw new Error('store.deliverAll made no copy for APPEND');
      return copy;
    });
    // Counted once durably stored: a refused or failed APPEND received nothing.
    for (const { message } of requests) ctx.server.metrics?.message('in', message.length);
    const first = copies[0];
    if (first === undefined) throw new Error('APPEND without a message (the parser requires one)');
    // The Journey's first step of a message made over IMAP: the OK [APPENDUID] that follows.
    for (const copy of copies) ctx.link(copy.mailboxId, copy.uid, 'appended');
    // RFC 4315 3 / RFC 3502 6.3.11: APPENDUID uidvalidity uid-set, the UIDs in message order.
    return {
      code: responseCode('APPENDUID', first.uidValidity, atom(uidSet(copies.map((copy) => copy.uid)))),
      text: 'APPEND completed',
    };
  },
};

/** RFC 4315 4: `3955` or `3955:3957`; consecutive UIDs (one transaction) collapse into ranges. */
function uidSet(uids: readonly number[]): string {
  const ranges: string[] = [];
  let start = uids[0];
  let end = start;
  for (const uid of uids.slice(1)) {
    if (end !== undefined && uid === end + 1) {
      end = uid;
      continue;
    }
    if (start !== undefined) ranges.push(start === end ? `${start}` : `${start}:${end}`);
    start = uid;
    end = uid;
  }
  if (start !== undefined) ranges.push(start === end ? `${start}` : `${start}:${end}`);
  return ranges.join(',');
}
