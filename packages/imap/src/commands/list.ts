import { MAILBOX_SEPARATOR, type Mailbox } from '@minimail/store';
import { compilePattern, joinReference, namesWithChildren } from '../mailbox-pattern.js';
import { atom, untagged } from '../protocol/compiler.js';
import { encodeMailboxName } from '../protocol/mutf7.js';
import { AUTHENTICATED } from '../session/state.js';
import { userOf, type CommandSpec } from './types.js';

/**
 * RFC 3501 6.3.8 LIST, with RFC 5258 LIST-EXTENDED selection options (SUBSCRIBED, SPECIAL-USE),
 * return options (SUBSCRIBED, CHILDREN, SPECIAL-USE), RFC 3348 CHILDREN attributes and RFC 6154
 * special-use attributes (always sent: RFC 6154 2 allows it, and clients find Sent/Trash at once).
 */
export const listCommand: CommandSpec<'LIST'> = {
  name: 'LIST',
  states: AUTHENTICATED,
  async handler(ctx, command) {
    const { reference, patterns, selectOptions, returnOptions } = command.args;
    // RFC 3501 6.3.8: an empty pattern asks for the hierarchy delimiter and the root name.
    if (patterns.length === 1 && patterns[0] === '') {
      await ctx.send(untagged('LIST', [atom('\\Noselect')], MAILBOX_SEPARATOR, ''));
      return { text: 'LIST completed' };
    }
    // INBOX first, as clients show it (the store lists names alphabetically).
    const mailboxes = (await ctx.store.listMailboxes(userOf(ctx).id)).sort(
      (a, b) => Number(b.name === 'INBOX') - Number(a.name === 'INBOX'),
    );
    const parents = namesWithChildren(mailboxes.map((mailbox) => mailbox.name));
    const matchers = patterns.map((pattern) => compilePattern(joinReference(reference, pattern)));
    const onlySubscribed = selectOptions.includes('SUBSCRIBED');
    const onlySpecialUse = selectOptions.includes('SPECIAL-USE');
    const showSubscribed = onlySubscribed || returnOptions.includes('SUBSCRIBED');
    const matchesAny = (name: string): boolean => matchers.some((matches) => matches(name));
    // RFC 5258 3.5 RECURSIVEMATCH: a matching name with a subscribed descendant that the
    // patterns do not return themselves is listed (even if not subscribed) with CHILDINFO
    // ("SUBSCRIBED"); "SHOULD ONLY ... if at least one matching child is not also being returned".
    const subscribedParents =
      onlySubscribed && selectOptions.includes('RECURSIVEMATCH')
        ? namesWithChildren(
            mailboxes
              .filter((mailbox) => mailbox.subscribed && !matchesAny(mailbox.name))
              .map((mailbox) => mailbox.name),
          )
        : new Set<string>();
    for (const mailbox of mailboxes) {
      if (!matchesAny(mailbox.name)) continue;
      if (onlySpecialUse && mailbox.specialUse === null) continue;
      const childInfo = subscribedParents.has(mailbox.name);
      if (onlySubscribed && !mailbox.subscribed && !childInfo) continue;
      const attributes = listAttributes(mailbox, parents.has(mailbox.name), showSubscribed).map(atom);
      const name = encodeMailboxName(mailbox.name);
      const line = childInfo
        ? untagged('LIST', attributes, MAILBOX_SEPARATOR, name, ['CHILDINFO', ['SUBSCRIBED']])
        : untagged('LIST', attributes, MAILBOX_SEPARATOR, name);
      await ctx.send(line);
    }
    return { text: 'LIST completed' };
  },
};

export function listAttributes(mailbox: Mailbox, hasChildren: boolean, showSubscribed: boolean): string[] {
  const attributes: string[] = [];
  // RFC 3501 7.2.2 \Noselect: a deleted parent kept for its children (6.3.4).
  if (mailbox.noselect) attributes.push('\\Noselect');
  // RFC 3348 / RFC 5258 4: exactly one of \HasChildren / \HasNoChildren.
  attributes.push(hasChildren ? '\\HasChildren' : '\\HasNoChildren');
  if (showSubscribed && mailbox.subscribed) attributes.push('\\Subscribed');
  if (mailbox.specialUse !== null) attributes.push(mailbox.specialUse);
  return attributes;
}
