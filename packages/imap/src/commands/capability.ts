import { untagged } from '../protocol/compiler.js';
import { ANY_STATE } from '../session/state.js';
import type { CommandSpec } from './types.js';

/** RFC 3501 6.1.1: the capability list for the current state (it changes with TLS and login). */
export const capabilityCommand: CommandSpec<'CAPABILITY'> = {
  name: 'CAPABILITY',
  states: ANY_STATE,
  async handler(ctx) {
    await ctx.send(untagged(['CAPABILITY', ...ctx.capabilities()].join(' ')));
    return { text: 'Capability completed' };
  },
};
