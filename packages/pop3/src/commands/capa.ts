import { capabilityLines } from '../capabilities.js';
import { REPLIES } from '../replies.js';
import type { CommandContext, CommandSpec } from './types.js';

const capa = async (ctx: CommandContext): Promise<void> =>
  ctx.replyLines(REPLIES.capaHeader, capabilityLines(ctx.security));

/** RFC 2449 5: CAPA, valid in the AUTHORIZATION and TRANSACTION states. */
export const CAPA: CommandSpec = {
  name: 'CAPA',
  handlers: { authorization: capa, transaction: capa },
};
