import { MAILBOX_SEPARATOR } from '@minimail/store';
import { untagged } from '../protocol/compiler.js';
import { AUTHENTICATED } from '../session/state.js';
import type { CommandSpec } from './types.js';

/** RFC 2342 5: one personal namespace with no prefix; no other users' or shared namespaces. */
export const namespaceCommand: CommandSpec<'NAMESPACE'> = {
  name: 'NAMESPACE',
  states: AUTHENTICATED,
  async handler(ctx) {
    await ctx.send(untagged('NAMESPACE', [['', MAILBOX_SEPARATOR]], null, null));
    return { text: 'NAMESPACE completed' };
  },
};
