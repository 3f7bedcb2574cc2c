import { untagged } from '../protocol/compiler.js';
import { ENABLEABLE } from '../session/extensions.js';
import { AUTHENTICATED } from '../session/state.js';
import type { CommandSpec } from './types.js';

/**
 * RFC 5161 ENABLE. What can be enabled, and what enabling does, is the table in
 * session/extensions.ts; anything else (not implemented yet, or unknown) is left out of the
 * ENABLED list, as RFC 5161 3.1 requires for capabilities the server does not support.
 */
export const enableCommand: CommandSpec<'ENABLE'> = {
  name: 'ENABLE',
  states: AUTHENTICATED,
  async handler(ctx, command) {
    const enabled: string[] = [];
    // Names arrive upper-cased; the answer spells them as CAPABILITY does (`IMAP4rev2`).
    for (const name of new Set(command.args.capabilities))
      if (await ctx.enable(name)) enabled.push(ENABLEABLE.get(name)?.name ?? name);
    await ctx.send(untagged(['ENABLED', ...enabled].join(' ')));
    return { text: 'ENABLE completed' };
  },
};
