import { bad, no } from '../errors.js';
import { AUTHENTICATED } from '../session/state.js';
import type { CommandSpec } from './types.js';

/**
 * RFC 4978 COMPRESS DEFLATE: valid once logged in (3); the OK is the last uncompressed response,
 * then both directions are compressed (session/compression.ts). A second COMPRESS is NO
 * [COMPRESSIONACTIVE] (3); an unknown mechanism is BAD (3: "the server MUST reply with BAD").
 */
export const compressCommand: CommandSpec<'COMPRESS'> = {
  name: 'COMPRESS',
  states: AUTHENTICATED,
  async handler(ctx, command) {
    if (command.args.mechanism !== 'DEFLATE') throw bad('Unknown compression mechanism');
    if (ctx.compressed) throw no('DEFLATE is already active', 'COMPRESSIONACTIVE');
    return { text: 'DEFLATE active', afterReply: () => ctx.startCompression() };
  },
};
