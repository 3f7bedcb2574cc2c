import { AUTHENTICATED } from '../session/state.js';
import type { CommandSpec } from './types.js';

/**
 * RFC 2177: `+ idling`, then changes are announced as they happen (the store's change feed wakes
 * the session, also for changes made by another process) until the client sends DONE.
 */
export const idleCommand: CommandSpec<'IDLE'> = {
  name: 'IDLE',
  states: AUTHENTICATED,
  async handler(ctx) {
    await ctx.idle();
    return { text: 'IDLE terminated' };
  },
};
