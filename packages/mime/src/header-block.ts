/**
 * Finds an entity's header block and its fields, byte-exactly. RFC 5322 2.2: a field is a name,
 * a colon and a value; lines that begin with white space continue the previous field; the header
 * ends at the first empty line. Broken mail is read as forgivingly as Dovecot and CPython do.
 */
import { HTAB, SP, byteString, isBlankLine, lineEnd, unfold } from './bytes.js';

export interface HeaderField {
  /** Name as written (byte string). */
  name: string;
  /** Lower-cased name, used for matching (a leading UTF-8 byte-order mark is dropped). */
  key: string;
  /** First octet of the field's first line. */
  start: number;
  /** End of the field: just after the line break of its last (continuation) line. */
  end: number;
  /** First octet after the colon. */
  valueStart: number;
  /** The field's octets from `start` to `end` as a byte string. */
  text: string;
}

export interface HeaderBlock {
  fields: HeaderField[];
  /** End of the header block including its terminating empty line; the body starts here. */
  end: number;
}

const COLON = 0x3a;
const DEL = 0x7f;
const UTF8_BOM = '\xef\xbb\xbf';

/**
 * Length of the field name at `pos` up to and including its colon, or 0 if the line is not a
 * header field. RFC 5322 3.6.8: ftext is printable US-ASCII but colon; octets above 127 are
 * accepted too, because real mail (and a leading byte-order mark) puts them there.
 * RFC 5322 4.5 (obsolete syntax) allows white space before the colon.
 */
function fieldNameLength(raw: Buffer, pos: number, stop: number): number {
  let i = pos;
  while (i < stop) {
    const c = raw[i] as number;
    if (c <= SP || c === COLON || c === DEL) break;
    i++;
  }
  if (i === pos) return 0;
  let j = i;
  while (j < stop && (raw[j] === SP || raw[j] === HTAB)) j++;
  return j < stop && raw[j] === COLON ? j + 1 - pos : 0;
}

const MBOX_FROM = Buffer.from('From ');

function isMboxFromLine(raw: Buffer, pos: number, stop: number): boolean {
  return (
    stop - pos >= MBOX_FROM.length &&
    raw.compare(MBOX_FROM, 0, MBOX_FROM.length, pos, pos + MBOX_FROM.length) === 0
  );
}

/**
 * Reads the header block of the entity in [start, end).
 * - An empty line ends it (and belongs to it).
 * - No empty line at all: the header runs to `end` and the body is empty.
 * - A first line that is not a field: no header; the whole entity is body.
 * - A later line that is neither a field nor a continuation ends the header there (CPython does
 *   the same): the body starts at that line, so its text stays searchable.
 * - Continuation lines before any field (e.g. a leading line of spaces) are kept in the block,
 *   and so is an mbox "From " envelope line (RFC 4155) on the first line.
 */
export function readHeaderBlock(raw: Buffer, start: number, end: number): HeaderBlock {
  const spans: FieldSpan[] = [];
  let current: FieldSpan | null = null;
  let pos = start;
  while (pos < end) {
    const stop = lineEnd(raw, pos, end);
    if (isBlankLine(raw, pos, stop)) return { fields: decodeFields(raw, start, spans), end: stop };
    const first = raw[pos];
    if (first === SP || first === HTAB) {
      if (current !== null) current.end = stop;
      pos = stop;
      continue;
    }
    const nameLength = fieldNameLength(raw, pos, stop);
    if (nameLength === 0) {
      if (pos === start && isMboxFromLine(raw, pos, stop)) {
        pos = stop;
        continue;
      }
      return { fields: decodeFields(raw, start, spans), end: pos };
    }
    current = { start: pos, end: stop, nameLength };
    spans.push(current);
    pos = stop;
  }
  return { fields: decodeFields(raw, start, spans), end };
}

/** Where one field lies, found by the byte scan; `nameLength` includes the colon. */
interface FieldSpan {
  start: number;
  end: number;
  nameLength: number;
}

/**
 * The fields of the spans. Their octets are decoded once, as one byte string from the block's
 * start, and each field's name and text are slices of it: one decode per header block instead of
 * one per name and one per value read.
 */
function decodeFields(raw: Buffer, blockStart: number, spans: readonly FieldSpan[]): HeaderField[] {
  const last = spans[spans.length - 1];
  if (last === undefined) return [];
  const block = byteString(raw, blockStart, last.end);
  return spans.map(({ start, end, nameLength }) => {
    const text = block.slice(start - blockStart, end - blockStart);
    const name = text.slice(0, nameLength - 1).trimEnd();
    return {
      name,
      key: (name.startsWith(UTF8_BOM) ? name.slice(UTF8_BOM.length) : name).toLowerCase(),
      start,
      end,
      valueStart: start + nameLength,
      text,
    };
  });
}

/** A field's value, unfolded and trimmed, as a byte string (octets unchanged), read from its text. */
export function fieldValue(field: HeaderField): string {
  return unfold(field.text.slice(field.valueStart - field.start)).trim();
}

/** The first field named `key` (lower-case), or undefined. */
export function firstField(fields: readonly HeaderField[], key: string): HeaderField | undefined {
  return fields.find((f) => f.key === key);
}
