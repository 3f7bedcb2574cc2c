import { MAILBOX_SEPARATOR, type Mailbox } from '@minimail/store';
import { compilePattern, joinReference, namesWithChildren } from '../mailbox-pattern.js';
import { atom, untagged, type ResponseValue } from '../protocol/compiler.js';
import { AUTHENTICATED } from '../session/state.js';
import { mailboxNameOut } from './mailbox-name.js';
import { statusResponse } from './status.js';
import { assertRev2StatusItems } from '../session/rev2.js';
import { userOf, type CommandContext, type CommandSpec } from './types.js';

/**
 * RFC 3501 6.3.8 LIST, with RFC 5258 LIST-EXTENDED selection options (SUBSCRIBED, SPECIAL-USE),
 * return options (SUBSCRIBED, CHILDREN, SPECIAL-USE), RFC 3348 CHILDREN attributes and RFC 6154
 * special-use attributes (always sent: RFC 6154 2 allows it, and clients find Sent/Trash at once).
 * Subscriptions are names (store.listSubscriptions): with the SUBSCRIBED selection a subscribed
 * name that has no mailbox is listed `\NonExistent` (RFC 5258 3.1). RFC 5819 LIST-STATUS: with
 * `RETURN (STATUS (...))` each selectable mailbox's LIST line is followed by its STATUS line
 * (none for \Noselect or \NonExistent names, 5819 2).
 */
export const listCommand: CommandSpec<'LIST'> = {
  name: 'LIST',
  states: AUTHENTICATED,
  async handler(ctx, command) {
    const { reference, patterns, selectOptions, returnOptions, statusItems } = command.args;
    assertRev2StatusItems(ctx.enabled, statusItems);
    // RFC 3501 6.3.8: an empty pattern asks for the hierarchy delimiter and the root name.
    if (patterns.length === 1 && patterns[0] === '') {
      await ctx.send(untagged('LIST', [atom('\\Noselect')], MAILBOX_SEPARATOR, ''));
      return { text: 'LIST completed' };
    }
    const userId = userOf(ctx).id;
    const mailboxes = await ctx.store.listMailboxes(userId);
    const byName = new Map(mailboxes.map((mailbox) => [mailbox.name, mailbox]));
    const parents = namesWithChildren(byName.keys());
    const matchers = patterns.map((pattern) => compilePattern(joinReference(reference, pattern)));
    const matchesAny = (name: string): boolean => matchers.some((matches) => matches(name));
    const onlySubscribed = selectOptions.includes('SUBSCRIBED');
    const onlySpecialUse = selectOptions.includes('SPECIAL-USE');
    const showSubscribed = onlySubscribed || returnOptions.includes('SUBSCRIBED');
    const subscribed = onlySubscribed ? new Set(await ctx.store.listSubscriptions(userId)) : null;
    // RFC 5258 3.5 RECURSIVEMATCH: a matching name with a subscribed descendant that the
    // patterns do not return themselves is listed (even if not subscribed) with CHILDINFO
    // ("SUBSCRIBED"); "SHOULD ONLY ... if at least one matching child is not also being returned".
    const subscribedParents =
      subscribed !== null && selectOptions.includes('RECURSIVEMATCH')
        ? namesWithChildren([...subscribed].filter((name) => !matchesAny(name)))
        : new Set<string>();
    const names =
      subscribed === null ? [...byName.keys()] : [...new Set([...subscribed, ...subscribedParents])];
    // INBOX first, as clients show it, then by name.
    names.sort((a, b) => Number(b === 'INBOX') - Number(a === 'INBOX') || (a < b ? -1 : a > b ? 1 : 0));
    for (const name of names) {
      if (!matchesAny(name)) continue;
      const mailbox = byName.get(name);
      if (onlySpecialUse && (mailbox === undefined || mailbox.specialUse === null)) continue;
      const childInfo = subscribedParents.has(name);
      if (subscribed !== null && !subscribed.has(name) && !childInfo) continue;
      const attributes =
        mailbox === undefined
          ? nonExistentAttributes(subscribed?.has(name) ?? false)
          : listAttributes(mailbox, parents.has(name), showSubscribed);
      const values: ResponseValue[] = [attributes.map(atom), MAILBOX_SEPARATOR, mailboxNameOut(ctx, name)];
      if (childInfo) values.push(['CHILDINFO', ['SUBSCRIBED']]);
      await ctx.send(untagged('LIST', ...values));
      if (statusItems !== null && mailbox !== undefined && !mailbox.noselect)
        await ctx.send(await statusResponse(ctx, mailbox, statusItems));
    }
    return { text: 'LIST completed' };
  },
};

/**
 * RFC 9051 6.3.2: the `* LIST (attributes) "/" name` an IMAP4rev2 SELECT/EXAMINE sends, with the
 * attributes LIST would give the mailbox (children, special use).
 */
export async function selectedListResponse(ctx: CommandContext, mailbox: Mailbox): Promise<Buffer> {
  const names = (await ctx.store.listMailboxes(mailbox.userId)).map((other) => other.name);
  const hasChildren = namesWithChildren(names).has(mailbox.name);
  const attributes = listAttributes(mailbox, hasChildren, false).map(atom);
  return untagged('LIST', attributes, MAILBOX_SEPARATOR, mailboxNameOut(ctx, mailbox.name));
}

/** RFC 5258 3.1 / 3.4: a subscribed (or parent) name with no mailbox behind it. */
function nonExistentAttributes(isSubscribed: boolean): string[] {
  return isSubscribed ? ['\\NonExistent', '\\Subscribed'] : ['\\NonExistent'];
}

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
