import { SYSTEM_FLAGS } from '@minimail/store';
import { atom, responseCode, untagged, untaggedStatus } from '../protocol/compiler.js';
import { AUTHENTICATED } from '../session/state.js';
import { openableMailbox } from './mailbox-lookup.js';
import { userOf, type CommandContext, type CommandCompletion, type CommandSpec } from './types.js';

/**
 * RFC 3501 6.3.1 SELECT and 6.3.2 EXAMINE: FLAGS, EXISTS, RECENT, then the OK codes UNSEEN,
 * PERMANENTFLAGS, UIDVALIDITY, UIDNEXT, RFC 7162 HIGHESTMODSEQ, and READ-WRITE or READ-ONLY on
 * the tagged OK.
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
  // selected at this point, so the HIGHESTMODSEQ below is the only one sent.
  if (condstore) await ctx.enableCondstore();
  const mailbox = await openableMailbox(ctx, user.id, name);
  const view = await ctx.openView(mailbox, readOnly);
  ctx.setState({ kind: 'selected', user, view });
  const flags = [...SYSTEM_FLAGS, ...view.keywords()].map(atom);
  await ctx.send(untagged('FLAGS', flags));
  // RFC 3501 7.1 PERMANENTFLAGS: `\*` means new keywords may be created; nothing in a read-only view.
  const permanent = readOnly ? [] : [...SYSTEM_FLAGS.map(atom), atom('\\*')];
  await ctx.send(untaggedStatus('OK', responseCode('PERMANENTFLAGS', permanent), 'Flags permitted'));
  await ctx.send(untagged(`${view.exists} EXISTS`));
  await ctx.send(untagged(`${view.recentCount} RECENT`));
  const unseen = view.firstUnseen();
  if (unseen !== null)
    await ctx.send(untaggedStatus('OK', responseCode('UNSEEN', unseen), `Message ${unseen} is first unseen`));
  await ctx.send(untaggedStatus('OK', responseCode('UIDVALIDITY', view.uidValidity), 'UIDs valid'));
  const uidNext = Math.max(mailbox.uidNext, view.highestUid + 1);
  await ctx.send(untaggedStatus('OK', responseCode('UIDNEXT', uidNext), 'Predicted next UID'));
  // RFC 7162 3.1.2.1: required after a CONDSTORE enabling command; every mailbox here keeps
  // mod-sequences, so it is sent on every SELECT/EXAMINE (a client that does not know the code
  // ignores it, RFC 3501 7.1). It is the value read before the listing: never more than what the
  // client has been told, so a later CHANGEDSINCE from it misses nothing.
  await ctx.send(untaggedStatus('OK', responseCode('HIGHESTMODSEQ', view.highestModseq), 'Highest'));
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
