import { SELECTED } from '../session/state.js';
import { userOf, type CommandSpec } from './types.js';

/** RFC 3691: like CLOSE but never expunges. */
export const unselectCommand: CommandSpec<'UNSELECT'> = {
  name: 'UNSELECT',
  states: SELECTED,
  async handler(ctx) {
    ctx.setState({ kind: 'authenticated', user: userOf(ctx) });
    return { text: 'UNSELECT completed' };
  },
};
