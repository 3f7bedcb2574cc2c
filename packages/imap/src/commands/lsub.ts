import { MAILBOX_SEPARATOR } from '@minimail/store';
import { compilePattern, joinReference } from '../mailbox-pattern.js';
import { atom, untagged } from '../protocol/compiler.js';
import { AUTHENTICATED } from '../session/state.js';
import { mailboxNameOut } from './mailbox-name.js';
import { userOf, type CommandSpec } from './types.js';

/**
 * RFC 3501 6.3.9: subscribed names matching the pattern (subscriptions are names: one without a
 * mailbox is listed \Noselect). When `%` stops above a subscribed name
 * whose parent is not subscribed, the parent is listed with \Noselect (6.3.9 example).
 */
export const lsubCommand: CommandSpec<'LSUB'> = {
  name: 'LSUB',
  states: AUTHENTICATED,
  async handler(ctx, command) {
    const { reference, pattern } = command.args;
    const matches = compilePattern(joinReference(reference, pattern));
    const userId = userOf(ctx).id;
    const subscribed = new Set(await ctx.store.listSubscriptions(userId));
    const selectable = new Set(
      (await ctx.store.listMailboxes(userId))
        .filter((mailbox) => !mailbox.noselect)
        .map((mailbox) => mailbox.name),
    );
    const lines = new Map<string, string[]>();
    for (const name of subscribed) {
      if (matches(name)) {
        // A subscribed name without a mailbox (deleted, or never created) cannot be selected.
        lines.set(name, selectable.has(name) ? [] : ['\\Noselect']);
        continue;
      }
      const parts = name.split(MAILBOX_SEPARATOR);
      for (let length = parts.length - 1; length >= 1; length -= 1) {
        const parent = parts.slice(0, length).join(MAILBOX_SEPARATOR);
        if (matches(parent) && !subscribed.has(parent) && !lines.has(parent)) {
          lines.set(parent, ['\\Noselect']);
          break;
        }
      }
    }
    for (const [name, attributes] of lines) {
      await ctx.send(untagged('LSUB', attributes.map(atom), MAILBOX_SEPARATOR, mailboxNameOut(ctx, name)));
    }
    return { text: 'LSUB completed' };
  },
};
