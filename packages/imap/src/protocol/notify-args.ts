/**
 * RFC 5465 8 (formal syntax) for the NOTIFY command:
 *
 *   notify          = "NOTIFY" SP (notify-set / notify-none)
 *   notify-none     = "NONE"
 *   notify-set      = "SET" [status-indicator] SP event-groups
 *   status-indicator = SP "STATUS"
 *   event-groups    = event-group *(SP event-group)
 *   event-group     = "(" filter-mailboxes SP events ")"
 *   filter-mailboxes = "selected" / "selected-delayed" / "inboxes" / "personal" / "subscribed"
 *                     / ("subtree" SP one-or-more-mailbox) / ("mailboxes" SP one-or-more-mailbox)
 *   one-or-more-mailbox = mailbox / many-mailboxes;  many-mailboxes = "(" mailbox *(SP mailbox) ")"
 *   events          = ("(" event *(SP event) ")") / "NONE"
 *   event           = message-event / mailbox-event / user-event / event-ext
 *   message-event   = ("MessageNew" [SP "(" fetch-att *(SP fetch-att) ")"]) / "MessageExpunge"
 *                     / "FlagChange" / "AnnotationChange"
 *   event-ext       = atom
 *
 * Only the grammar lives here: which events may go together, which are supported (NO
 * [BADEVENT]) and what they mean are the command's (commands/notify.ts).
 */
import { readMailbox } from './args.js';
import { readFetchItems, type FetchItem } from './fetch-items.js';
import type { ArgReader } from './reader.js';

/** RFC 5465 5: the events this grammar names; any other atom is an `event-ext` kept as sent. */
export const NOTIFY_EVENTS = [
  'MessageNew',
  'MessageExpunge',
  'FlagChange',
  'AnnotationChange',
  'MailboxName',
  'SubscriptionChange',
  'MailboxMetadataChange',
  'ServerMetadataChange',
] as const;
export type KnownNotifyEvent = (typeof NOTIFY_EVENTS)[number];

export type NotifyFilter =
  | { readonly kind: 'selected' | 'selected-delayed' | 'inboxes' | 'personal' | 'subscribed' }
  | { readonly kind: 'subtree' | 'mailboxes'; readonly mailboxes: readonly string[] };

export type NotifyFilterKind = NotifyFilter['kind'];

export interface NotifyEventGroup {
  readonly filter: NotifyFilter;
  /** Event names as RFC 5465 spells them (known ones canonical, others as sent); empty for NONE. */
  readonly events: readonly string[];
  /** MessageNew's fetch-att list, or null when none was given. */
  readonly fetchItems: readonly FetchItem[] | null;
}

export type NotifyArgs =
  | { readonly kind: 'none' }
  | { readonly kind: 'set'; readonly status: boolean; readonly groups: readonly NotifyEventGroup[] };

const FILTERS: readonly NotifyFilterKind[] = [
  'selected',
  'selected-delayed',
  'inboxes',
  'personal',
  'subscribed',
  'subtree',
  'mailboxes',
];

export function readNotifyArgs(reader: ArgReader): NotifyArgs {
  reader.space();
  const verb = reader.readAtom('SET or NONE').toUpperCase();
  if (verb === 'NONE') return { kind: 'none' };
  if (verb !== 'SET') throw reader.error(`Expected SET or NONE, not ${verb.slice(0, 40)}`);
  reader.space();
  let status = false;
  if (reader.tryWord('STATUS')) {
    status = true;
    reader.space();
  }
  const groups: NotifyEventGroup[] = [];
  do {
    reader.countArg();
    groups.push(readEventGroup(reader));
  } while (reader.trySpace());
  return { kind: 'set', status, groups };
}

function readEventGroup(reader: ArgReader): NotifyEventGroup {
  reader.expect('(', '"(" before an event group');
  reader.enter();
  const filter = readFilter(reader);
  reader.space();
  let events: string[] = [];
  let fetchItems: FetchItem[] | null = null;
  const readEvent = (): string => {
    const event = canonicalEvent(reader.readAtom('an event'));
    if (event === 'MessageNew' && reader.lookingAt(' (')) {
      reader.space();
      // RFC 5465 5.2: the fetch-att list is a parenthesised list of fetch-att (no macros).
      if (fetchItems !== null) throw reader.error('Duplicate MessageNew');
      fetchItems = readFetchItems(reader);
    }
    return event;
  };
  if (reader.peek() === '(') {
    events = reader.readList(readEvent, false);
  } else if (!reader.tryWord('NONE')) {
    // RFC 5465 3's own examples leave the event list unparenthesised
    // (`(selected MessageNew (uid ...) MessageExpunge)`); both spellings are read.
    do {
      reader.countArg();
      events.push(readEvent());
    } while (reader.trySpace());
  }
  reader.expect(')', '")" after an event group');
  reader.leave();
  return { filter, events, fetchItems };
}

function readFilter(reader: ArgReader): NotifyFilter {
  const word = reader.readAtom('a mailbox filter').toLowerCase();
  const kind = FILTERS.find((name) => name === word);
  if (kind === undefined) throw reader.error(`Unknown mailbox filter ${word.slice(0, 40)}`);
  if (kind !== 'subtree' && kind !== 'mailboxes') return { kind };
  reader.space();
  const mailboxes =
    reader.peek() === '(' ? reader.readList(() => readMailbox(reader), false) : [readMailbox(reader)];
  return { kind, mailboxes };
}

/** Known event names case-insensitively, in RFC 5465's spelling; an event-ext as sent. */
function canonicalEvent(word: string): string {
  const lower = word.toLowerCase();
  return NOTIFY_EVENTS.find((name) => name.toLowerCase() === lower) ?? word;
}
