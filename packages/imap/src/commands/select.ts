import { mailboxObjectId } from '../object-id.js';
import { atom, responseCode, untaggedStatus } from '../protocol/compiler.js';
import { AUTHENTICATED } from '../session/state.js';
import { openableMailbox } from './mailbox-lookup.js';
import { userOf, type CommandContext, type CommandCompletion, type CommandSpec } from './types.js';

/**
 * RFC 3501 6.3.1 SELECT and 6.3.2 EXAMINE: the view announces FLAGS, PERMANENTFLAGS, EXISTS,
 * RECENT, UNSEEN, UIDVALIDITY, UIDNEXT and HIGHESTMODSEQ; READ-WRITE or READ-ONLY goes on the
 * tagged OK.
 */
async function selectMailbox(
  ctx: CommandContext,
  { mailbox: name, condstore }: { mailbox: string; condstore: boolean },
  readOnly: boolean,
): Promise<CommandCompletion> {
  const user = userOf(ctx);
  // RFC 3501 6.3.1: a SELECT leaves the current mailbox first, even if it then fails.
  if (ctx.state.kind === 'selected') ctx.setState({ kind: 'authenticated', user });
  // RFC 7162 3.1.8: the CONDSTORE parameter is a CONDSTORE enabling command. No mailbox is
  // selected at this point, so the HIGHESTMODSEQ of the view is the only one sent.
  if (condstore) await ctx.enable('CONDSTORE');
  const mailbox = await openableMailbox(ctx, user.id, name);
  const view = await ctx.openView(mailbox, readOnly);
  ctx.setState({ kind: 'selected', user, view });
  await view.announceOpened();
  // RFC 8474 4.2: the mailbox's MAILBOXID (fixed for the mailbox's life, not part of its state).
  await ctx.send(untaggedStatus('OK', responseCode('MAILBOXID', [atom(mailboxObjectId(mailbox))]), 'Ok'));
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
