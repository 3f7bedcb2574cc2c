import { atom, responseCode } from '../protocol/compiler.js';
import { authenticateUser } from '../session/authenticate-user.js';
import { NOT_AUTHENTICATED } from '../session/state.js';
import type { CommandSpec } from './types.js';

/** RFC 3501 6.2.3. The OK carries the new CAPABILITY list (7.1) so clients need not ask again. */
export const loginCommand: CommandSpec<'LOGIN'> = {
  name: 'LOGIN',
  states: NOT_AUTHENTICATED,
  async handler(ctx, command) {
    await authenticateUser(ctx, command.args.username, command.args.password);
    return { code: responseCode('CAPABILITY', ...ctx.capabilities().map(atom)), text: 'Logged in' };
  },
};
