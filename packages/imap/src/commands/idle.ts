import { AUTHENTICATED } from '../session/state.js';
import type { CommandSpec } from './types.js';

/**
 * RFC 2177: `+ idling`, then changes are announced as they happen (the store's change feed wakes
 * the session, also for changes made by another process) until the client sends DONE.
 */
export const idleCommand: CommandSpec<'IDLE'> = {
  name: 'IDLE',
  states: AUTHENTICATED,
  // A promise chain rather than an async function: IDLE is where a connection waits for hours,
  // and a suspended async frame per idle client costs ~0.4 KiB (10,000 IDLE clients, issue 6).
  handler(ctx) {
    return ctx.idle().then(idleTerminated);
  },
};

/** Module-level, so an idle client holds no closure of its own for it. */
function idleTerminated(): { text: string } {
  return { text: 'IDLE terminated' };
}
