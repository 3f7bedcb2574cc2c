/**
 * What a command file declares and what its handler may use (the contract is defined beside the
 * session, session/command-spec.ts), plus the handlers' helpers. Handlers return the tagged
 * completion and throw CommandError (errors.ts) for NO/BAD; untagged responses about the
 * selected mailbox go through its view (session/mailbox-view.ts), never `ctx.send`.
 */
import type { User } from '@minimail/store';
import type { CommandContext } from '../session/command-spec.js';
import type { MailboxView } from '../session/mailbox-view.js';

export type {
  CommandCompletion,
  CommandContext,
  CommandOf,
  CommandRegistry,
  CommandSpec,
  ExpungeNotices,
} from '../session/command-spec.js';

/** The user of an authenticated or selected session; handlers only call it where the gate allows. */
export function userOf(ctx: CommandContext): User {
  const state = ctx.state;
  if (state.kind === 'authenticated' || state.kind === 'selected') return state.user;
  throw new Error('no user in this state (the gate should have refused the command)');
}

/** The selected mailbox view; handlers only call it where the gate allows. */
export function viewOf(ctx: CommandContext): MailboxView {
  const state = ctx.state;
  if (state.kind === 'selected') return state.view;
  throw new Error('no mailbox selected (the gate should have refused the command)');
}
