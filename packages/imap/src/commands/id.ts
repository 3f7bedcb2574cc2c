import { untagged } from '../protocol/compiler.js';
import { ANY_STATE } from '../session/state.js';
import type { CommandSpec } from './types.js';

/** RFC 2971 3.3: what the server says about itself (never anything secret like the OS version). */
const SERVER_ID: ReadonlyArray<readonly [string, string]> = [
  ['name', 'minimail'],
  ['vendor', 'minimail'],
];

/** RFC 2971: the client's ID is logged; the server answers with its own. */
export const idCommand: CommandSpec<'ID'> = {
  name: 'ID',
  states: ANY_STATE,
  async handler(ctx, command) {
    const params = command.args.params;
    if (params !== null) ctx.logger.info({ clientId: Object.fromEntries(params) }, 'client ID');
    await ctx.send(untagged('ID', SERVER_ID.flat()));
    return { text: 'ID completed' };
  },
};
