import { ANY_STATE } from '../session/state.js';
import type { CommandSpec } from './types.js';

/**
 * RFC 3501 6.1.2: does nothing; the session announces pending mailbox changes (EXISTS, EXPUNGE,
 * FETCH FLAGS) after every command, which is what clients poll NOOP for.
 */
export const noopCommand: CommandSpec<'NOOP'> = {
  name: 'NOOP',
  states: ANY_STATE,
  async handler() {
    return { text: 'NOOP completed' };
  },
};
