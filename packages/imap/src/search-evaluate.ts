/**
 * SEARCH criteria (RFC 3501 6.4.4) evaluated against one message. Text keys compare decoded text
 * (RFC 2047 headers, transfer-encoded and charset-encoded bodies, via @minimail/mime) as
 * case-insensitive substrings, as RFC 3501 6.4.4 asks.
 */
import {
  headerTextForSearch,
  headerValues,
  parseAddressList,
  textForSearch,
  type MimePart,
} from '@minimail/mime';
import type { MessageSummary } from '@minimail/store';
import { emailObjectId, threadObjectId } from './object-id.js';
import { compareDays, dayOf, type ImapDay } from './protocol/imap-date.js';
import type { SearchKey } from './protocol/search.js';
import { SAVED_RESULT, sequenceSetContains } from './protocol/sequence-set.js';

/**
 * What SEARCH knows of a message: its summary, or, when no key needs more (see `needsSummary`),
 * its UID, flags and modseq from the store's lean list of the mailbox.
 */
export type SearchedMessage = MessageSummary | { uid: number; flags: readonly string[]; modseq: number };

export function isSummary(message: SearchedMessage): message is MessageSummary {
  return 'bodyHash' in message;
}

export interface SearchCandidate {
  sequence: number;
  message: SearchedMessage;
  recent: boolean;
  /** Present when some key needs the message's content (see `needsContent`). */
  content: { raw: Buffer; structure: MimePart } | null;
}

export interface SearchScope {
  /** Messages in the mailbox (for `*` in sequence sets). */
  exists: number;
  /** Highest UID in the mailbox (for `*` in UID sets). */
  highestUid: number;
  /** RFC 5182: the UIDs `$` stands for, in UID and sequence-set keys alike. */
  savedUids: ReadonlySet<number>;
  /** RFC 5032: the moment OLDER and YOUNGER count back from (one per command), in ms. */
  now: number;
}

/** Keys that must read the message itself; everything else is answered from the summary. */
const CONTENT_KEYS: ReadonlySet<SearchKey['key']> = new Set([
  'BCC',
  'BODY',
  'CC',
  'FROM',
  'SUBJECT',
  'TEXT',
  'TO',
  'HEADER',
  'SENTBEFORE',
  'SENTON',
  'SENTSINCE',
  // RFC 8474 6: THREADID is read from the header (object-id.ts).
  'THREADID',
]);

/** Keys that need more of a message than its UID, flags and modseq: size, date, or content. */
const SUMMARY_KEYS: ReadonlySet<SearchKey['key']> = new Set([
  ...CONTENT_KEYS,
  'LARGER',
  'SMALLER',
  'OLDER',
  'YOUNGER',
  'SAVEDBEFORE',
  'SAVEDON',
  'SAVEDSINCE',
  'BEFORE',
  'ON',
  'SINCE',
  // RFC 8474: EMAILID is derived from the body hash and internal date (object-id.ts).
  'EMAILID',
]);

/**
 * Keys whose answer depends on a message's flags and \Recent alone (and the groups of them):
 * SEARCH evaluates such criteria once per distinct flag list, not once per message.
 */
const FLAG_ONLY_KEYS: ReadonlySet<SearchKey['key']> = new Set([
  'ALL',
  'SAVEDATESUPPORTED',
  'ANSWERED',
  'DELETED',
  'DRAFT',
  'FLAGGED',
  'SEEN',
  'UNANSWERED',
  'UNDELETED',
  'UNDRAFT',
  'UNFLAGGED',
  'UNSEEN',
  'RECENT',
  'OLD',
  'NEW',
  'KEYWORD',
  'UNKEYWORD',
  'NOT',
  'OR',
  'AND',
]);

/** Whether the criteria read nothing of a message but its flags and whether it is \Recent. */
export function dependsOnFlagsOnly(keys: readonly SearchKey[]): boolean {
  return !someKey(keys, (key) => !FLAG_ONLY_KEYS.has(key.key));
}

export function needsSummary(keys: readonly SearchKey[]): boolean {
  return someKey(keys, (key) => SUMMARY_KEYS.has(key.key));
}

export function needsContent(keys: readonly SearchKey[]): boolean {
  return someKey(keys, (key) => CONTENT_KEYS.has(key.key));
}

/** RFC 7162 3.1.5: whether the MODSEQ key appears anywhere (then the result carries `(MODSEQ n)`). */
export function usesModseq(keys: readonly SearchKey[]): boolean {
  return someKey(keys, (key) => key.key === 'MODSEQ');
}

/** Whether `test` holds for any key, looking inside NOT, OR and parenthesised groups. */
function someKey(keys: readonly SearchKey[], test: (key: SearchKey) => boolean): boolean {
  return keys.some((key) => {
    if (test(key)) return true;
    if (key.key === 'NOT') return someKey([key.operand], test);
    if (key.key === 'OR') return someKey([key.left, key.right], test);
    if (key.key === 'AND') return someKey(key.operands, test);
    return false;
  });
}

/** Decoded texts are computed once per message, not once per key. */
class ContentCache {
  private bodyText: string | null = null;
  private headerText: string | null = null;
  constructor(private readonly content: { raw: Buffer; structure: MimePart }) {}

  header(name: string): string[] {
    return headerValues(this.content.raw, this.content.structure, name);
  }

  /**
   * RFC 3501 6.4.4 FROM/TO/CC/BCC: the field as written, and each address as the ENVELOPE shows
   * it (`mailbox@host`, and the display name), so that `<user (comment)@ (comment) domain.org>`
   * is found by `user@domain.org`, as Dovecot finds it.
   */
  addresses(name: string): string[] {
    const values = this.header(name);
    const forms = [...values];
    for (const value of values)
      for (const address of parseAddressList(value)) {
        if (address.name !== null) forms.push(address.name);
        if (address.mailbox !== null && address.host !== null)
          forms.push(`${address.mailbox}@${address.host}`);
      }
    return forms;
  }

  body(): string {
    this.bodyText ??= textForSearch(this.content.raw, this.content.structure).toLowerCase();
    return this.bodyText;
  }

  /** The whole header block, unfolded and RFC 2047-decoded field by field. */
  headers(): string {
    this.headerText ??= headerTextForSearch(this.content.raw, this.content.structure).toLowerCase();
    return this.headerText;
  }
}

function summaryFor(key: SearchKey, c: SearchCandidate): MessageSummary {
  if (!isSummary(c.message)) throw new Error(`SEARCH ${key.key} needs the message summary`);
  return c.message;
}

export function matchesAll(
  keys: readonly SearchKey[],
  candidate: SearchCandidate,
  scope: SearchScope,
): boolean {
  const cache = candidate.content ? new ContentCache(candidate.content) : null;
  return keys.every((key) => matches(key, candidate, scope, cache));
}

function matches(
  key: SearchKey,
  c: SearchCandidate,
  scope: SearchScope,
  cache: ContentCache | null,
): boolean {
  const flags = c.message.flags;
  const has = (flag: string): boolean => flags.includes(flag);
  switch (key.key) {
    case 'ALL':
    case 'SAVEDATESUPPORTED':
      // RFC 8514 4.2: SAVEDATESUPPORTED matches every message where save dates are kept.
      return true;
    case 'MODSEQ':
      // RFC 7162 3.1.5: mod-sequence greater than or equal to the value.
      return c.message.modseq >= key.modseq;
    case 'ANSWERED':
      return has('\\Answered');
    case 'DELETED':
      return has('\\Deleted');
    case 'DRAFT':
      return has('\\Draft');
    case 'FLAGGED':
      return has('\\Flagged');
    case 'SEEN':
      return has('\\Seen');
    case 'UNANSWERED':
      return !has('\\Answered');
    case 'UNDELETED':
      return !has('\\Deleted');
    case 'UNDRAFT':
      return !has('\\Draft');
    case 'UNFLAGGED':
      return !has('\\Flagged');
    case 'UNSEEN':
      return !has('\\Seen');
    case 'RECENT':
      return c.recent;
    case 'OLD':
      return !c.recent;
    case 'NEW':
      // RFC 3501 6.4.4: RECENT and UNSEEN.
      return c.recent && !has('\\Seen');
    case 'KEYWORD':
      return hasKeyword(flags, key.flag);
    case 'UNKEYWORD':
      return !hasKeyword(flags, key.flag);
    case 'LARGER':
      return summaryFor(key, c).size > key.size;
    case 'SMALLER':
      return summaryFor(key, c).size < key.size;
    case 'OLDER':
      // RFC 5032 3: internal date at least `seconds` ago (the boundary included, as in Dovecot).
      return summaryFor(key, c).internalDate.getTime() <= scope.now - key.seconds * 1000;
    case 'YOUNGER':
      // RFC 5032 3: internal date within the last `seconds`.
      return summaryFor(key, c).internalDate.getTime() >= scope.now - key.seconds * 1000;
    case 'SAVEDBEFORE':
      return compareDays(dayOf(summaryFor(key, c).saveDate), key.date) < 0;
    case 'SAVEDON':
      return compareDays(dayOf(summaryFor(key, c).saveDate), key.date) === 0;
    case 'SAVEDSINCE':
      return compareDays(dayOf(summaryFor(key, c).saveDate), key.date) >= 0;
    case 'BEFORE':
      return compareDays(dayOf(summaryFor(key, c).internalDate), key.date) < 0;
    case 'ON':
      return compareDays(dayOf(summaryFor(key, c).internalDate), key.date) === 0;
    case 'SINCE':
      return compareDays(dayOf(summaryFor(key, c).internalDate), key.date) >= 0;
    case 'SENTBEFORE':
    case 'SENTON':
    case 'SENTSINCE': {
      const sent = sentDay(content(cache));
      if (sent === null) return false;
      const order = compareDays(sent, key.date);
      return key.key === 'SENTBEFORE' ? order < 0 : key.key === 'SENTON' ? order === 0 : order >= 0;
    }
    case 'FROM':
    case 'TO':
    case 'CC':
    case 'BCC':
      return content(cache)
        .addresses(key.key)
        .some((value) => includes(value, key.value));
    case 'SUBJECT':
      return content(cache)
        .header(key.key)
        .some((value) => includes(value, key.value));
    case 'HEADER': {
      const values = content(cache).header(key.field);
      // RFC 3501 6.4.4: an empty string matches every message that has the field.
      return key.value === '' ? values.length > 0 : values.some((value) => includes(value, key.value));
    }
    case 'BODY':
      return content(cache).body().includes(key.value.toLowerCase());
    case 'TEXT': {
      const needle = key.value.toLowerCase();
      const text = content(cache);
      return text.headers().includes(needle) || text.body().includes(needle);
    }
    case 'EMAILID':
      return emailObjectId(summaryFor(key, c)) === key.id;
    case 'THREADID':
      if (c.content === null) throw new Error('SEARCH THREADID without the message content');
      return threadObjectId(c.content.raw, c.content.structure, summaryFor(key, c)) === key.id;
    case 'UID':
      if (key.set === SAVED_RESULT) return scope.savedUids.has(c.message.uid);
      return sequenceSetContains(key.set, c.message.uid, scope.highestUid);
    case 'SEQUENCE':
      // RFC 5182 2.1: `$` names the same messages with or without UID.
      if (key.set === SAVED_RESULT) return scope.savedUids.has(c.message.uid);
      return sequenceSetContains(key.set, c.sequence, scope.exists);
    case 'NOT':
      return !matches(key.operand, c, scope, cache);
    case 'OR':
      return matches(key.left, c, scope, cache) || matches(key.right, c, scope, cache);
    case 'AND':
      return key.operands.every((operand) => matches(operand, c, scope, cache));
  }
}

function content(cache: ContentCache | null): ContentCache {
  if (cache === null) throw new Error('SEARCH key needs message content that was not loaded');
  return cache;
}

/** Keywords compare case-insensitively, as most servers do. */
function hasKeyword(flags: readonly string[], keyword: string): boolean {
  const wanted = keyword.toLowerCase();
  return flags.some((flag) => flag.toLowerCase() === wanted);
}

function includes(haystack: string, needle: string): boolean {
  return haystack.toLowerCase().includes(needle.toLowerCase());
}

/** RFC 3501 6.4.4 SENT*: the date part of the Date: header, in the header's own zone. */
function sentDay(cache: ContentCache): ImapDay | null {
  const value = cache.header('date')[0];
  if (value === undefined) return null;
  const match = /(\d{1,2})\s+([A-Za-z]{3})[a-z]*\s+(\d{2,4})/.exec(value);
  if (!match) return null;
  const month = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'].indexOf(
    (match[2] as string).toLowerCase(),
  );
  if (month === -1) return null;
  let year = Number(match[3]);
  // RFC 5322 4.3: two-digit years; 00-49 are 2000-2049, 50-99 are 1950-1999.
  if (year < 100) year += year < 50 ? 2000 : 1900;
  return { year, month: month + 1, day: Number(match[1]) };
}
