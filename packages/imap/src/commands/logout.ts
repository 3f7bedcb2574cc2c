import { untaggedStatus } from '../protocol/compiler.js';
import { ANY_STATE } from '../session/state.js';
import type { CommandSpec } from './types.js';

/** RFC 3501 6.1.3: `* BYE` first, then the tagged OK, then the server closes the connection. */
export const logoutCommand: CommandSpec<'LOGOUT'> = {
  name: 'LOGOUT',
  states: ANY_STATE,
  async handler(ctx) {
    await ctx.send(untaggedStatus('BYE', null, 'Logging out'));
    ctx.setState({ kind: 'logout' });
    return { text: 'LOGOUT completed' };
  },
};
