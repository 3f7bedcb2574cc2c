/**
 * One message's FETCH items as response values (RFC 3501 7.4.2). The MIME structure is loaded by
 * the caller only when an item needs it, and the body bytes only when an item needs those.
 */
import {
  bodyStructure,
  decodeBase64,
  decodeQuotedPrintable,
  envelope,
  extractSection,
  partial,
  resolvePart,
  type MimePart,
} from '@minimail/mime';
import type { MessageSummary } from '@minimail/store';
import type { FetchItem } from './protocol/fetch-items.js';
import { fetchItemResponseName } from './protocol/fetch-items.js';
import { no } from './errors.js';
import { emailObjectId, threadObjectId } from './object-id.js';
import { previewText } from './preview.js';
import { atom, binaryData, type ResponseValue } from './protocol/compiler.js';
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
  // RFC 8474: from the body hash and internal date (object-id.ts).
  'EMAILID',
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

/** RFC 3501 6.4.5: BODY[...] (not PEEK), RFC822 and RFC822.TEXT set \Seen; RFC 3516 4.2: BINARY[] too. */
export function setsSeen(items: readonly FetchItem[]): boolean {
  return items.some(
    (item) =>
      ((item.kind === 'BODY[]' || item.kind === 'BINARY[]') && !item.peek) ||
      item.kind === 'RFC822' ||
      item.kind === 'RFC822.TEXT',
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
    case 'EMAILID':
      // RFC 8474 7: msg-att-static =/ "EMAILID" SP "(" objectid ")".
      return ['EMAILID', [atom(emailObjectId(summaryFor(item, message)))]];
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
    case 'THREADID':
      // RFC 8474 5.2 / 7: "THREADID" SP ( "(" objectid ")" / nil ), from the header (object-id.ts).
      return ['THREADID', [atom(threadObjectId(raw, structure, summaryFor(item, message)))]];
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
    case 'BINARY[]': {
      const data = binarySection(raw, structure, item.part);
      const value = item.partial === null ? data : partial(data, item.partial.offset, item.partial.length);
      return [fetchItemResponseName(item), binaryData(value)];
    }
    case 'BINARY.SIZE':
      return [fetchItemResponseName(item), binarySection(raw, structure, item.part).length];
    case 'PREVIEW': {
      // RFC 8970 3.2: LAZY allows NIL when no preview is at hand; one is computed every time here.
      const text = previewText(raw, structure);
      // The drafts' form, as Dovecot answers SNIPPET (FUZZY) and PREVIEW (FUZZY): the same text.
      if (item.fuzzy !== undefined) return [item.fuzzy, [atom('FUZZY'), text]];
      return ['PREVIEW', text];
    }
  }
}

/**
 * RFC 3516 4.2: the octets of a part with its Content-Transfer-Encoding removed. `BINARY[]` (no
 * part) is the whole message as stored: its header cannot be decoded. A part that does not exist
 * is empty, as for BODY[] (RFC 3501 6.4.5). An encoding we cannot decode fails the command with
 * NO [UNKNOWN-CTE] (RFC 3516 4.3).
 */
function binarySection(raw: Buffer, structure: MimePart, part: readonly number[]): Buffer {
  if (part.length === 0) return raw;
  const entity = resolvePart(structure, part);
  if (entity === null) return Buffer.alloc(0);
  const body = raw.subarray(entity.bodyStart, entity.bodyEnd);
  switch (binaryEncoding(entity, part)) {
    case 'base64':
      return decodeBase64(body);
    case 'quoted-printable':
      return decodeQuotedPrintable(withoutTransportPadding(body));
    default:
      return body;
  }
}

/**
 * RFC 2045 6.7 (3): white space at the end of an encoded line was added in transport and is
 * deleted when decoding (a space that belongs to the text is encoded, `=20`).
 */
function withoutTransportPadding(encoded: Buffer): Buffer {
  return Buffer.from(encoded.toString('latin1').replace(/[ \t]+(?=\r?\n|$)/g, ''), 'latin1');
}

/** The part numbers the BINARY and BINARY.SIZE items name (empty when there are none). */
export function binaryParts(items: readonly FetchItem[]): Array<readonly number[]> {
  return items.flatMap((item) =>
    item.kind === 'BINARY[]' || item.kind === 'BINARY.SIZE' ? [item.part] : [],
  );
}

/**
 * RFC 3516 4.3: NO [UNKNOWN-CTE] when one of these parts has an encoding we cannot remove. FETCH
 * asks before it sets \Seen, so a FETCH that fails this way changes nothing.
 */
export function assertBinaryDecodable(structure: MimePart, parts: ReadonlyArray<readonly number[]>): void {
  for (const part of parts) {
    const entity = part.length === 0 ? null : resolvePart(structure, part);
    if (entity !== null) binaryEncoding(entity, part);
  }
}

const IDENTITY_ENCODINGS: ReadonlySet<string> = new Set(['7bit', '8bit', 'binary']);

function binaryEncoding(
  entity: MimePart,
  part: readonly number[],
): 'identity' | 'base64' | 'quoted-printable' {
  const encoding = (entity.encoding ?? '7bit').toLowerCase();
  if (IDENTITY_ENCODINGS.has(encoding)) return 'identity';
  if (encoding === 'base64' || encoding === 'quoted-printable') return encoding;
  throw no(`Unknown Content-Transfer-Encoding in part ${part.join('.')}`, 'UNKNOWN-CTE');
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
