import { bad } from '../errors.js';
import type { SelectArgs } from '../protocol/commands.js';
import { mailboxObjectId } from '../object-id.js';
import { atom, responseCode, untaggedStatus } from '../protocol/compiler.js';
import { AUTHENTICATED } from '../session/state.js';
import { isRev2 } from '../session/rev2.js';
import { selectedListResponse } from './list.js';
import { openableMailbox } from './mailbox-lookup.js';
import { vanishedSince } from './qresync.js';
import { userOf, type CommandContext, type CommandCompletion, type CommandSpec } from './types.js';

/**
 * RFC 3501 6.3.1 SELECT and 6.3.2 EXAMINE: the view announces FLAGS, PERMANENTFLAGS, EXISTS,
 * RECENT, UNSEEN, UIDVALIDITY, UIDNEXT and HIGHESTMODSEQ; READ-WRITE or READ-ONLY goes on the
 * tagged OK. RFC 7162 3.2.5: with (QRESYNC (uidvalidity modseq ...)) and a matching
 * UIDVALIDITY, then VANISHED (EARLIER) for what went and FETCH for what changed since modseq.
 */
async function selectMailbox(
  ctx: CommandContext,
  { mailbox: name, condstore, qresync }: SelectArgs,
  readOnly: boolean,
): Promise<CommandCompletion> {
  const user = userOf(ctx);
  // RFC 3501 6.3.1: a SELECT leaves the current mailbox first, even if it then fails; RFC 7162
  // 3.2.11 (and RFC 9051 7.1): `[CLOSED]` marks where the responses about it end.
  if (ctx.state.kind === 'selected') {
    ctx.setState({ kind: 'authenticated', user });
    await ctx.send(untaggedStatus('OK', responseCode('CLOSED'), 'Previous mailbox closed'));
  }
  // RFC 7162 3.2.5: the QRESYNC parameter needs ENABLE QRESYNC first.
  if (qresync !== null && !ctx.enabled.has('QRESYNC')) throw bad('QRESYNC is not enabled');
  // RFC 7162 3.1.8: the CONDSTORE parameter is a CONDSTORE enabling command. No mailbox is
  // selected at this point, so the HIGHESTMODSEQ of the view is the only one sent.
  if (condstore) await ctx.enable('CONDSTORE');
  const mailbox = await openableMailbox(ctx, user.id, name);
  const view = await ctx.openView(mailbox, readOnly);
  ctx.setState({ kind: 'selected', user, view });
  await view.announceOpened();
  // RFC 8474 4.2: the mailbox's MAILBOXID (fixed for the mailbox's life, not part of its state).
  await ctx.send(untaggedStatus('OK', responseCode('MAILBOXID', [atom(mailboxObjectId(mailbox))]), 'Ok'));
  // RFC 9051 6.3.2: an IMAP4rev2 SELECT/EXAMINE answers with the mailbox's LIST response.
  if (isRev2(ctx.enabled)) await ctx.send(await selectedListResponse(ctx, mailbox));
  // RFC 7162 3.2.5: another UIDVALIDITY means the client's cache is void: nothing more is said.
  if (qresync !== null && qresync.uidValidity === view.uidValidity) {
    const { knownUids, modseq, seqMatch } = qresync;
    await view.sendVanishedEarlier(await vanishedSince(ctx, view, knownUids, modseq, seqMatch));
    await view.announceChangedSince(modseq, knownUids);
  }
  return {
    code: readOnly ? 'READ-ONLY' : 'READ-WRITE',
    text: `${readOnly ? 'EXAMINE' : 'SELECT'} completed`,
  };
}

export const selectCommand: CommandSpec<'SELECT'> = {
  name: 'SELECT',
  states: AUTHENTICATED,
  handler: (ctx, command) => selectMailbox(ctx, command.args, false),
};

export const examineCommand: CommandSpec<'EXAMINE'> = {
  name: 'EXAMINE',
  states: AUTHENTICATED,
  handler: (ctx, command) => selectMailbox(ctx, command.args, true),
};
