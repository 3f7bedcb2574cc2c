import { untagged } from '../protocol/compiler.js';
import { AUTHENTICATED } from '../session/state.js';
import type { CommandSpec } from './types.js';

/**
 * Extensions that change server behaviour once enabled (RFC 5161 3.1). None yet: UTF8=ACCEPT and
 * CONDSTORE are not implemented, so ENABLE answers with an empty ENABLED list, as RFC 5161 3.1
 * requires for capabilities the server does not support.
 */
const ENABLEABLE: ReadonlySet<string> = new Set<string>();

export const enableCommand: CommandSpec<'ENABLE'> = {
  name: 'ENABLE',
  states: AUTHENTICATED,
  async handler(ctx, command) {
    const enabled = command.args.capabilities.filter((name) => ENABLEABLE.has(name));
    await ctx.send(untagged(['ENABLED', ...enabled].join(' ')));
    return { text: 'ENABLE completed' };
  },
};
