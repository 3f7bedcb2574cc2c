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
  const fields: HeaderField[] = [];
  let current: HeaderField | null = null;
  let pos = start;
  while (pos < end) {
    const stop = lineEnd(raw, pos, end);
    if (isBlankLine(raw, pos, stop)) return { fields, end: stop };
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
      return { fields, end: pos };
    }
    const name = byteString(raw, pos, pos + nameLength - 1).trimEnd();
    current = {
      name,
      key: (name.startsWith(UTF8_BOM) ? name.slice(UTF8_BOM.length) : name).toLowerCase(),
      start: pos,
      end: stop,
      valueStart: pos + nameLength,
    };
    fields.push(current);
    pos = stop;
  }
  return { fields, end };
}

/** A field's value, unfolded and trimmed, as a byte string (octets unchanged). */
export function fieldValue(raw: Buffer, field: HeaderField): string {
  return unfold(byteString(raw, field.valueStart, field.end)).trim();
}

/** The first field named `key` (lower-case), or undefined. */
export function firstField(fields: readonly HeaderField[], key: string): HeaderField | undefined {
  return fields.find((f) => f.key === key);
}
