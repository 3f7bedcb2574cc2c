/**
 * One message's FETCH items as response values (RFC 3501 7.4.2). The MIME structure is loaded by
 * the caller only when an item needs it, and the body bytes only when an item needs those.
 */
import { bodyStructure, envelope, extractSection, partial, type MimePart } from '@minimail/mime';
import type { MessageSummary } from '@minimail/store';
import type { FetchItem } from './protocol/fetch-items.js';
import { fetchItemResponseName } from './protocol/fetch-items.js';
import { atom, type ResponseValue } from './protocol/compiler.js';
import { formatDateTime } from './protocol/imap-date.js';

/**
 * What a FETCH knows of one message: its summary, or for a FETCH of FLAGS, UID and MODSEQ only
 * (FLAG_LIST_ITEMS) just those, read from the store's lean list of the mailbox.
 */
export type FetchedMessage = MessageSummary | { uid: number; flags: readonly string[]; modseq: number };

/** Items answered from a message's UID, flags and modseq alone (see FetchedMessage). */
export const FLAG_LIST_ITEMS: ReadonlySet<FetchItem['kind']> = new Set(['FLAGS', 'UID', 'MODSEQ']);

export function isSummary(message: FetchedMessage): message is MessageSummary {
  return 'bodyHash' in message;
}

export interface LoadedBody {
  /** Null when only structure items were asked for and the structure alone answers them. */
  raw: Buffer | null;
  structure: MimePart;
}

/**
 * What ENVELOPE, BODY and BODYSTRUCTURE are computed from when the bytes were not read: a
 * structure with every envelope recorded (MessageStructures.structureWithoutBody checks it) makes
 * mime's envelope() and bodyStructure() read no bytes at all.
 */
const NO_BYTES = Buffer.alloc(0);

/** Items answered from the summary alone (no body read). */
const SUMMARY_ITEMS: ReadonlySet<FetchItem['kind']> = new Set([
  'FLAGS',
  'UID',
  'INTERNALDATE',
  'RFC822.SIZE',
  'MODSEQ',
  'SAVEDATE',
]);

/** Items answered from the MIME structure recorded at delivery (no body read when it is complete). */
const STRUCTURE_ITEMS: ReadonlySet<FetchItem['kind']> = new Set(['ENVELOPE', 'BODY', 'BODYSTRUCTURE']);

/** Whether any item needs the MIME structure or the bytes (anything beyond the summary). */
export function needsStructure(items: readonly FetchItem[]): boolean {
  return items.some((item) => !SUMMARY_ITEMS.has(item.kind));
}

/** Whether any item needs the message's bytes (sections, RFC822...), not just its structure. */
export function needsBytes(items: readonly FetchItem[]): boolean {
  return items.some((item) => !SUMMARY_ITEMS.has(item.kind) && !STRUCTURE_ITEMS.has(item.kind));
}

/**
 * Whether the items serve the whole message (RFC822, or BODY[] / BODY.PEEK[] with no section and
 * no partial range): what the `out` message metrics count. Headers, parts and partial chunks are
 * not a message served, so a client reading only headers or one range adds nothing.
 */
export function servesWholeMessage(items: readonly FetchItem[]): boolean {
  return items.some(
    (item) =>
      item.kind === 'RFC822' ||
      (item.kind === 'BODY[]' &&
        item.partial === null &&
        item.section.part.length === 0 &&
        item.section.specifier === null),
  );
}

/** RFC 3501 6.4.5: BODY[...] (not PEEK), RFC822 and RFC822.TEXT set \Seen. */
export function setsSeen(items: readonly FetchItem[]): boolean {
  return items.some(
    (item) => (item.kind === 'BODY[]' && !item.peek) || item.kind === 'RFC822' || item.kind === 'RFC822.TEXT',
  );
}

export function renderItem(
  item: FetchItem,
  message: FetchedMessage,
  flags: readonly string[],
  body: LoadedBody | null,
): readonly [string, ResponseValue] {
  switch (item.kind) {
    case 'FLAGS':
      return ['FLAGS', flags.map((flag) => atom(flag))];
    case 'UID':
      return ['UID', message.uid];
    case 'INTERNALDATE':
      return ['INTERNALDATE', formatDateTime(summaryFor(item, message).internalDate)];
    case 'RFC822.SIZE':
      return ['RFC822.SIZE', summaryFor(item, message).size];
    case 'SAVEDATE':
      // RFC 8514 4.1: every mailbox here keeps save dates, so never NIL.
      return ['SAVEDATE', formatDateTime(summaryFor(item, message).saveDate)];
    case 'MODSEQ':
      // RFC 7162 3.1.4.2: fetch-mod-resp = "MODSEQ" SP "(" permsg-modsequence ")".
      return ['MODSEQ', [message.modseq]];
    default:
      break;
  }
  if (body === null) throw new Error(`FETCH ${item.kind} needs the message structure`);
  const { structure } = body;
  switch (item.kind) {
    case 'ENVELOPE':
      return ['ENVELOPE', envelope(body.raw ?? NO_BYTES, structure)];
    case 'BODYSTRUCTURE':
      return ['BODYSTRUCTURE', bodyStructure(body.raw ?? NO_BYTES, structure, true)];
    case 'BODY':
      return ['BODY', bodyStructure(body.raw ?? NO_BYTES, structure, false)];
    default:
      break;
  }
  if (body.raw === null) throw new Error(`FETCH ${item.kind} needs the message body`);
  const raw = body.raw;
  switch (item.kind) {
    case 'RFC822':
      return ['RFC822', raw];
    case 'RFC822.HEADER':
      return ['RFC822.HEADER', section(raw, structure, [], 'HEADER', [])];
    case 'RFC822.TEXT':
      return ['RFC822.TEXT', section(raw, structure, [], 'TEXT', [])];
    case 'BODY[]': {
      const data = section(raw, structure, item.section.part, item.section.specifier, item.section.fields);
      const value = item.partial === null ? data : partial(data, item.partial.offset, item.partial.length);
      return [fetchItemResponseName(item), value];
    }
  }
}

function summaryFor(item: FetchItem, message: FetchedMessage): MessageSummary {
  if (!isSummary(message)) throw new Error(`FETCH ${item.kind} needs the message summary`);
  return message;
}

/** RFC 3501 6.4.5: a section that does not exist is answered as an empty string. */
function section(
  raw: Buffer,
  structure: MimePart,
  part: readonly number[],
  text: 'HEADER' | 'HEADER.FIELDS' | 'HEADER.FIELDS.NOT' | 'TEXT' | 'MIME' | null,
  fields: readonly string[],
): Buffer {
  return extractSection(raw, structure, { part: [...part], text, fields: [...fields] }) ?? Buffer.alloc(0);
}
