import { MAILBOX_SEPARATOR } from '@minimail/store';
import { no } from '../errors.js';
import { AUTHENTICATED } from '../session/state.js';
import { userOf, type CommandSpec } from './types.js';

/** RFC 3501 6.3.3: a trailing separator only says the name will have children; parents are created too. */
export const createCommand: CommandSpec<'CREATE'> = {
  name: 'CREATE',
  states: AUTHENTICATED,
  async handler(ctx, command) {
    let name = command.args.mailbox;
    while (name.endsWith(MAILBOX_SEPARATOR)) name = name.slice(0, -1);
    if (name.toUpperCase() === 'INBOX') throw no('INBOX already exists', 'ALREADYEXISTS');
    await ctx.store.createMailbox(userOf(ctx).id, name);
    return { text: 'CREATE completed' };
  },
};
