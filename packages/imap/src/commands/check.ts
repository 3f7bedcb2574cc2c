import { SELECTED } from '../session/state.js';
import type { CommandSpec } from './types.js';

/** RFC 3501 6.4.1: a checkpoint. Every write is already durable when it is answered, so nothing to do. */
export const checkCommand: CommandSpec<'CHECK'> = {
  name: 'CHECK',
  states: SELECTED,
  async handler() {
    return { text: 'CHECK completed' };
  },
};
