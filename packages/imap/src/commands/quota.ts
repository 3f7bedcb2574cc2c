import { no } from '../errors.js';
import { atom, untagged, type ResponseValue } from '../protocol/compiler.js';
import { encodeMailboxName } from '../protocol/mutf7.js';
import { AUTHENTICATED } from '../session/state.js';
import { openableMailbox } from './mailbox-lookup.js';
import { userOf, type CommandContext, type CommandSpec } from './types.js';

/** Every user has one quota root, named "" (as Dovecot names its user quota): all their mailboxes. */
const ROOT = '';

/**
 * RFC 9208 4.1.1: each limited resource as name, usage, limit. 5.1: STORAGE in units of 1024
 * octets, usage rounded up so a used byte never reads as 0; 5.2: MESSAGE, the number of messages
 * in all the user's mailboxes. Null when the user has no limit (then no quota root).
 */
async function quotaResources(ctx: CommandContext): Promise<ResponseValue[] | null> {
  const quota = await ctx.store.getQuota(userOf(ctx).address);
  const resources: ResponseValue[] = [];
  if (quota.limitBytes !== null)
    resources.push(atom('STORAGE'), Math.ceil(quota.usedBytes / 1024), Math.floor(quota.limitBytes / 1024));
  if (quota.limitMessages !== null) resources.push(atom('MESSAGE'), quota.usedMessages, quota.limitMessages);
  return resources.length === 0 ? null : resources;
}

/** RFC 9208 4.2: the usage and limits of one quota root. */
export const getquotaCommand: CommandSpec<'GETQUOTA'> = {
  name: 'GETQUOTA',
  states: AUTHENTICATED,
  async handler(ctx, command) {
    const resources = command.args.root === ROOT ? await quotaResources(ctx) : null;
    if (resources === null) throw no('No such quota root', 'NONEXISTENT');
    await ctx.send(untagged('QUOTA', ROOT, resources));
    return { text: 'GETQUOTA completed' };
  },
};

/** RFC 9208 4.3: the mailbox's quota roots (none when the user has no limit), then each root's QUOTA. */
export const getquotarootCommand: CommandSpec<'GETQUOTAROOT'> = {
  name: 'GETQUOTAROOT',
  states: AUTHENTICATED,
  async handler(ctx, command) {
    const mailbox = await openableMailbox(ctx, userOf(ctx).id, command.args.mailbox);
    const resources = await quotaResources(ctx);
    const name = encodeMailboxName(mailbox.name);
    await ctx.send(resources === null ? untagged('QUOTAROOT', name) : untagged('QUOTAROOT', name, ROOT));
    if (resources !== null) await ctx.send(untagged('QUOTA', ROOT, resources));
    return { text: 'GETQUOTAROOT completed' };
  },
};
