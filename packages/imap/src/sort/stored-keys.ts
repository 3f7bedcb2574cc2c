/**
 * The SORT and THREAD keys of one message, computed once from its header and recorded with its
 * body in the store (docs/adr/0037): the store's `sortKeysOf` hook at delivery, or the first SORT
 * or THREAD that finds a body without them. Every value is exactly what sort-keys.ts and the
 * THREAD input computed per message before (the same functions), so answers do not change.
 *
 * Recorded as a JSON array, `[version, date, subject, replyOrForward, from, to, cc, displayFrom,
 * displayTo, messageId, references]`; a record of another version is computed again (and a future
 * version needs a migration that clears the column: recorded keys are never replaced).
 */
import { headerValues, parseMessage, serializeStructure, type MimePart } from '@minimail/mime';
import { baseSubject } from './base-subject.js';
import { casemapKey } from './collation.js';
import { headerSortKey, sentDateOf, type HeaderSortKey } from './sort-keys.js';

export const STORED_KEYS_VERSION = 1;

export type StoredKeys = [
  version: typeof STORED_KEYS_VERSION,
  /** RFC 5256 3 DATE from the Date field in ms; null: missing or unreadable (the internal date counts). */
  date: number | null,
  /** The base subject (RFC 5256 2.1) as an i;unicode-casemap key. */
  subject: string,
  /** RFC 5256 2.1: whether a reply or forward marker was removed (THREAD): 1 or 0. */
  replyOrForward: 0 | 1,
  from: string,
  to: string,
  cc: string,
  displayFrom: string,
  displayTo: string,
  /** The first `<...>` of Message-ID, '' when none. */
  messageId: string,
  /** RFC 5256 4 step 1: the References ids, else the first In-Reply-To id. */
  references: string[],
];

/** Where each SORT header key (a string) sits in StoredKeys; DATE is at 1. */
export const KEY_INDEX: Readonly<Record<HeaderSortKey, number>> = {
  SUBJECT: 2,
  FROM: 4,
  TO: 5,
  CC: 6,
  DISPLAYFROM: 7,
  DISPLAYTO: 8,
};

/** RFC 5322 3.6.4 msg-id as it appears: `<...>`. */
const MESSAGE_ID = /<[^<>\s]+>/g;

/** The keys of a message from its bytes and MIME structure. */
export function computeStoredKeys(raw: Buffer, structure: MimePart): StoredKeys {
  const header = (name: string): string[] => headerValues(raw, structure, name);
  const subject = baseSubject(header('subject')[0] ?? '');
  const messageId = (header('message-id')[0] ?? '').match(MESSAGE_ID)?.[0] ?? '';
  let references = header('references').flatMap((value) => value.match(MESSAGE_ID) ?? []);
  if (references.length === 0)
    references = (header('in-reply-to')[0] ?? '').match(MESSAGE_ID)?.slice(0, 1) ?? [];
  return [
    STORED_KEYS_VERSION,
    sentDateOf(header),
    casemapKey(subject.base),
    subject.isReplyOrForward ? 1 : 0,
    headerSortKey('FROM', header),
    headerSortKey('TO', header),
    headerSortKey('CC', header),
    headerSortKey('DISPLAYFROM', header),
    headerSortKey('DISPLAYTO', header),
    messageId,
    references,
  ];
}

/**
 * The store's `sortKeysOf` hook (CoreStoreOptions): a body's keys as the JSON text recorded with
 * it. Parses the message; the app may pass the structure it already has.
 */
export function sortKeysOfMessage(raw: Buffer, structure: MimePart = parseMessage(raw)): string {
  return JSON.stringify(computeStoredKeys(raw, structure));
}

/**
 * The store's `describeBody` and `sortKeysOf` hooks sharing one parse of each message: the store
 * calls both, one after the other, with the same buffer (core/delivery.ts), so the second reuses
 * the structure the first parsed instead of parsing again.
 */
export function bodyHooks(): { describeBody: (raw: Buffer) => string; sortKeysOf: (raw: Buffer) => string } {
  let last: { raw: Buffer; structure: MimePart } | null = null;
  const parsed = (raw: Buffer): MimePart => {
    if (last !== null && last.raw === raw) return last.structure;
    const structure = parseMessage(raw);
    last = { raw, structure };
    return structure;
  };
  return {
    describeBody: (raw) => serializeStructure(parsed(raw)),
    sortKeysOf: (raw) => {
      const text = sortKeysOfMessage(raw, parsed(raw));
      // Hold no message longer than its delivery.
      last = null;
      return text;
    },
  };
}

/** A recorded value as StoredKeys, or null when missing or of another version (compute again). */
export function asStoredKeys(value: unknown): StoredKeys | null {
  return Array.isArray(value) && value[0] === STORED_KEYS_VERSION && value.length === 11
    ? (value as StoredKeys)
    : null;
}
