import { no } from '../errors.js';
import { SELECTED } from '../session/state.js';
import { viewOf, type CommandSpec } from './types.js';

/**
 * RFC 5267 4.3.5: `CANCELUPDATE "tag" ...` stops the updates of the contexts those searching
 * commands made. A tag that names no updating context is refused (NO), and then none is cancelled.
 */
export const cancelUpdateCommand: CommandSpec<'CANCELUPDATE'> = {
  name: 'CANCELUPDATE',
  states: SELECTED,
  async handler(ctx, command) {
    const view = viewOf(ctx);
    const unknown = command.args.tags.find((tag) => !view.hasContext(tag));
    if (unknown !== undefined) throw no('Unknown tag');
    for (const tag of command.args.tags) view.cancelContext(tag);
    return { text: 'CANCELUPDATE completed' };
  },
};
