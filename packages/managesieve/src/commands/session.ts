import { response } from '../wire.js';
import { str, type CommandSpec } from './types.js';

/** RFC 5804 2.3 LOGOUT. */
export const logout: CommandSpec = {
  name: 'LOGOUT',
  states: ['anonymous', 'authenticated'],
  minArgs: 0,
  maxArgs: 0,
  async run(ctx) {
    await ctx.send(response('OK', null, 'Logout completed'));
    ctx.end();
  },
};

/** RFC 5804 2.13 NOOP [tag]: echoes the tag in a TAG response code. */
export const noop: CommandSpec = {
  name: 'NOOP',
  states: ['anonymous', 'authenticated'],
  minArgs: 0,
  maxArgs: 1,
  async run(ctx, args) {
    const tag = args[0] ? `TAG ${JSON.stringify(str(args[0]))}` : null;
    await ctx.send(response('OK', tag, 'Done'));
  },
};

/** RFC 5804 2.14 UNAUTHENTICATE: back to the anonymous state. */
export const unauthenticate: CommandSpec = {
  name: 'UNAUTHENTICATE',
  states: ['authenticated'],
  minArgs: 0,
  maxArgs: 0,
  async run(ctx) {
    ctx.setState({ kind: 'anonymous' });
    await ctx.send(response('OK', null, 'Unauthenticated'));
  },
};
