import { response } from '../wire.js';
import type { CommandSpec } from './types.js';

/** RFC 5804 2.4 CAPABILITY. */
export const capability: CommandSpec = {
  name: 'CAPABILITY',
  states: ['anonymous', 'authenticated'],
  minArgs: 0,
  maxArgs: 0,
  async run(ctx) {
    await ctx.send(ctx.capabilities().join('\r\n') + '\r\n' + response('OK', null, 'Capability completed.'));
  },
};
