/**
 * Decoded text for IMAP SEARCH (RFC 3501 6.4.4): header values with RFC 2047 encoded words
 * decoded, and the text of text/* parts with transfer encoding and charset undone.
 */
import { byteStringToText, bytesToText } from './bytes.js';
import { fieldValue, readHeaderBlock, type HeaderField } from './header-block.js';
import { decodeCharset, libmime } from './libmime-lazy.js';
import { decodeTransferEncoding } from './transfer-encoding.js';
import type { MimePart } from './types.js';

/** RFC 2047 encoded words decoded (libmime). Malformed encoded words are left as they are. */
export function decodeWords(s: string): string {
  // RFC 2047 2: every encoded word starts with "=?"; without one libmime returns the text as it is,
  // so most header values never load it.
  if (!s.includes('=?')) return s;
  return libmime().decodeWords(s);
}

/** A header field as people read it: the name as written, the value decoded as in headerValues. */
export interface DecodedHeaderField {
  name: string;
  value: string;
}

/**
 * Every field of the entity's own header, in order, unfolded, trimmed and RFC 2047-decoded. The
 * range may run past the header (e.g. the whole message): the block ends at its empty line.
 */
export function headerFields(
  raw: Buffer,
  part: Pick<MimePart, 'headerStart' | 'headerEnd'>,
): DecodedHeaderField[] {
  const { fields } = readHeaderBlock(raw, part.headerStart, part.headerEnd);
  return fields.map((f) => ({ name: f.name, value: decodedValue(f) }));
}

function decodedValue(field: HeaderField): string {
  return decodeWords(byteStringToText(fieldValue(field)));
}

/**
 * Every value of header field `name` (case-insensitive) in the entity's own header, in order,
 * unfolded, trimmed and RFC 2047-decoded. Raw 8-bit octets are read as UTF-8 (latin1 if invalid).
 */
export function headerValues(raw: Buffer, part: MimePart, name: string): string[] {
  const key = name.toLowerCase();
  const { fields } = readHeaderBlock(raw, part.headerStart, part.headerEnd);
  return fields.filter((f) => f.key === key).map((f) => decodedValue(f));
}

/**
 * The entity's whole header block as SEARCH TEXT compares it (RFC 3501 6.4.4): each field name
 * (lower case, in order of first appearance) with every value of it, unfolded and RFC
 * 2047-decoded, as `name: value` lines. The same text in IMAP's evaluator and in the full-text
 * index (docs/adr/0036), so the index holds exactly what TEXT searches.
 */
export function headerTextForSearch(raw: Buffer, part: MimePart): string {
  const block = raw.subarray(part.headerStart, part.headerEnd).toString('utf8');
  const names = new Set(
    [...block.matchAll(/^([!-9;-~]+):/gm)].map((match) => (match[1] as string).toLowerCase()),
  );
  return [...names]
    .flatMap((name) => headerValues(raw, part, name).map((value) => `${name}: ${value}`))
    .join('\n');
}

/** Charsets whose octets we read with bytesToText: 7-bit labels often hide UTF-8 in practice. */
const UNLABELLED_CHARSETS: ReadonlySet<string> = new Set(['', 'us-ascii', 'ascii', 'utf-8', 'utf8']);

/**
 * Octets in their declared charset as text (libmime, iconv-lite); unlabelled and 7-bit labels as
 * UTF-8 (latin1 if invalid); an unknown label reads as UTF-8.
 */
export function decodeText(bytes: Buffer, charset: string | undefined): string {
  const label = (charset ?? '').trim().toLowerCase();
  if (UNLABELLED_CHARSETS.has(label)) return bytesToText(bytes);
  return decodeCharset(bytes, label);
}

/** Crude HTML to text, enough for substring search: drop scripts, styles and tags; common entities. */
function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/gi, ' ')
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/&quot;/gi, '"')
    .replace(/&#(\d{1,6});/g, (_m, code: string) => String.fromCodePoint(Math.min(Number(code), 0x10ffff)))
    .replace(/&amp;/gi, '&');
}

/**
 * The decoded text of every text/* part of the message (and of messages embedded in it), joined
 * by newlines, for SEARCH BODY and TEXT. Headers are not included: the caller searches those
 * with headerValues or the raw header.
 */
export function textForSearch(raw: Buffer, root: MimePart): string {
  const texts: string[] = [];
  const stack: MimePart[] = [root];
  while (stack.length > 0) {
    const part = stack.pop() as MimePart;
    if (part.message !== undefined) {
      stack.push(part.message);
    } else if (part.children.length > 0) {
      for (let i = part.children.length - 1; i >= 0; i--) stack.push(part.children[i] as MimePart);
    } else if (part.contentType.type === 'text') {
      const body = decodeTransferEncoding(raw.subarray(part.bodyStart, part.bodyEnd), part.encoding);
      const text = decodeText(body, part.contentType.params['charset']);
      texts.push(part.contentType.subtype === 'html' ? htmlToText(text) : text);
    }
  }
  return texts.join('\n');
}
