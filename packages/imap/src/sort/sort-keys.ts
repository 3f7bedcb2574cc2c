/**
 * What SORT (RFC 5256 3, RFC 5957 2) compares for one message, computed once per message and
 * key: numbers for ARRIVAL, DATE and SIZE, i;unicode-casemap keys (collation.ts) for the rest.
 */
import { headerValues, parseAddressList, type MimePart } from '@minimail/mime';
import type { MessageSummary } from '@minimail/store';
import type { SortKey } from '../protocol/sort.js';
import type { SortCriterion } from '../protocol/sort.js';
import { baseSubject } from './base-subject.js';
import { casemapKey, compareKeys } from './collation.js';

export type SortValue = number | string;

/** One message of a sort result: its UID and its value for each sort criterion. */
export interface SortEntry {
  uid: number;
  values: readonly SortValue[];
}

/**
 * RFC 5256 3 order: criterion by criterion (REVERSE turns one around); messages equal by every
 * criterion stay in mailbox order, which is UID order.
 */
export function compareSortEntries(criteria: readonly SortCriterion[], a: SortEntry, b: SortEntry): number {
  for (let i = 0; i < criteria.length; i += 1) {
    const order = compareValues(a.values[i] as SortValue, b.values[i] as SortValue);
    if (order !== 0) return criteria[i]?.reverse === true ? -order : order;
  }
  return a.uid - b.uid;
}

function compareValues(a: SortValue, b: SortValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return compareKeys(String(a), String(b));
}

/** Keys answered from the summary alone; the others read the header. */
export const SUMMARY_SORT_KEYS: ReadonlySet<SortKey> = new Set(['ARRIVAL', 'SIZE']);

export interface SortSource {
  summary: MessageSummary;
  /** The message bytes and structure, when some key reads the header. */
  content: { raw: Buffer; structure: MimePart } | null;
}

export function sortValue(key: SortKey, source: SortSource): SortValue {
  const { summary, content } = source;
  const header = (name: string): string[] =>
    content === null ? [] : headerValues(content.raw, content.structure, name);
  switch (key) {
    case 'ARRIVAL':
      // RFC 5256 3: the internal date and time.
      return summary.internalDate.getTime();
    case 'SIZE':
      return summary.size;
    case 'DATE':
      // RFC 5256 3: the Date: header in UTC; when it is missing or unreadable, the internal date.
      return sentDateOf(header) ?? summary.internalDate.getTime();
    default:
      return headerSortKey(key, header);
  }
}

/** The header keys of SORT: what a message's header alone decides (stored-keys.ts records them). */
export type HeaderSortKey = Exclude<SortKey, 'ARRIVAL' | 'SIZE' | 'DATE'>;

/** RFC 5256 3 DATE from the first Date field, in ms; null when missing or unreadable. */
export function sentDateOf(header: (name: string) => string[]): number | null {
  const sent = Date.parse(header('date')[0] ?? '');
  return Number.isNaN(sent) ? null : sent;
}

/** A header key's i;unicode-casemap key, from the message's (decoded) header fields. */
export function headerSortKey(key: HeaderSortKey, header: (name: string) => string[]): string {
  switch (key) {
    case 'SUBJECT':
      // RFC 5256 3: the base subject (2.1) of the decoded Subject.
      return casemapKey(baseSubject(header('subject')[0] ?? '').base);
    case 'FROM':
    case 'TO':
    case 'CC': {
      // RFC 5256 3: the addr-mailbox (local part) of the first address; empty when none.
      const first = firstAddress(header(key.toLowerCase()));
      return casemapKey(first?.mailbox ?? '');
    }
    case 'DISPLAYFROM':
    case 'DISPLAYTO': {
      // RFC 5957 2: the first address's display name, or its addr-spec when it has none.
      const first = firstAddress(header(key === 'DISPLAYFROM' ? 'from' : 'to'));
      if (first === undefined) return casemapKey('');
      if (first.name !== null && first.name.trim() !== '') return casemapKey(first.name);
      return casemapKey(first.host === null ? (first.mailbox ?? '') : `${first.mailbox ?? ''}@${first.host}`);
    }
  }
}

function firstAddress(values: readonly string[]): ReturnType<typeof parseAddressList>[number] | undefined {
  for (const value of values) {
    // Group syntax yields markers without a host; the first real address counts.
    const address = parseAddressList(value).find((a) => a.mailbox !== null && a.host !== null);
    if (address !== undefined) return address;
  }
  return undefined;
}
