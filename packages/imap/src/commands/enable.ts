import { untagged } from '../protocol/compiler.js';
import { AUTHENTICATED } from '../session/state.js';
import type { CommandContext, CommandSpec } from './types.js';

/**
 * Extensions that change server behaviour once enabled (RFC 5161 3.1), each with what enabling
 * does. Anything else (UTF8=ACCEPT, QRESYNC, IMAP4rev2: not implemented) is left out of the
 * ENABLED list, as RFC 5161 3.1 requires for capabilities the server does not support.
 */
const ENABLEABLE: ReadonlyMap<string, (ctx: CommandContext) => Promise<void>> = new Map([
  // RFC 7162 3.1: ENABLE CONDSTORE is a CONDSTORE enabling command.
  ['CONDSTORE', (ctx: CommandContext) => ctx.enableCondstore()],
]);

export const enableCommand: CommandSpec<'ENABLE'> = {
  name: 'ENABLE',
  states: AUTHENTICATED,
  async handler(ctx, command) {
    const enabled: string[] = [];
    for (const name of new Set(command.args.capabilities)) {
      const enable = ENABLEABLE.get(name);
      if (enable === undefined) continue;
      await enable(ctx);
      enabled.push(name);
    }
    await ctx.send(untagged(['ENABLED', ...enabled].join(' ')));
    return { text: 'ENABLE completed' };
  },
};
