import type { IndexedAddress, IndexedBody } from './search-types.js';

/** Longest text of one body kept in the index: a 50 MB log attachment is not what people search. */
export const MAX_INDEXED_TEXT = 256 * 1024;

/** The searchable columns of one body, the same on every backend (docs/adr/0017). */
export interface SearchColumns {
  sender: string;
  recipients: string;
  subject: string;
  body: string;
  messageId: string;
  /** Null when the hook gave no header text (docs/adr/0036). */
  headers: string | null;
}

const people = (list: ReadonlyArray<IndexedAddress | null>): string =>
  list.flatMap((a) => (a === null ? [] : [`${a.name} <${a.address}>`])).join(', ');

/** What the full-text index holds of a body: "Name <address>" lists, subject, text, Message-ID. */
export function searchColumns(body: IndexedBody): SearchColumns {
  return {
    sender: people([body.from]),
    recipients: people([...body.to, ...body.cc, ...body.bcc]),
    subject: body.subject,
    body: body.text.slice(0, MAX_INDEXED_TEXT),
    messageId: body.messageId,
    headers: body.headers === undefined ? null : body.headers.slice(0, MAX_INDEXED_TEXT),
  };
}

/**
 * Messages of at least this many octets may have more decoded text than the index keeps
 * (MAX_INDEXED_TEXT UTF-16 units): decoding transfer and charset encodings, HTML and joining
 * parts never yields more UTF-16 units than the octets it read, so a smaller message is whole.
 */
export const MAX_WHOLLY_INDEXED_SIZE = MAX_INDEXED_TEXT;

/**
 * Code points whose every upper/lower case form FTS5's trigram folding (SQLite's Unicode case
 * fold, remove_diacritics 0) maps as JavaScript's toLowerCase does, so that
 * `a.toLowerCase().includes(b.toLowerCase())` implies the trigram match of `b` in `a` (checked
 * against SQLite over every code point by search-text.test.ts): ASCII, Latin-1, Latin Extended-A,
 * basic Greek and Cyrillic, and scripts without case. U+0307 (combining dot) is left out: the
 * lower case of U+0130 is "i" + U+0307, while the fold keeps U+0130 (see trigramPhrases).
 */
const TRIGRAM_SAFE_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x01, 0x17f],
  [0x370, 0x3ef],
  [0x400, 0x4ff],
  [0x590, 0x10cf],
  [0x1100, 0x139f],
  [0x1400, 0x1c7f],
  [0x2000, 0x20ff],
  [0x2190, 0x2bff],
  [0x2e80, 0xa63f],
  [0xac00, 0xd7ff],
  [0xe000, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xff00, 0xffff],
  [0x1f000, 0x1faff],
  [0x20000, 0x3ffff],
];

/** Whether the trigram fold agrees with toLowerCase on `codePoint` (see TRIGRAM_SAFE_RANGES). */
export function trigramSafe(codePoint: number): boolean {
  for (const [low, high] of TRIGRAM_SAFE_RANGES) if (codePoint >= low && codePoint <= high) return true;
  return false;
}

/**
 * The FTS5 phrases (any of which may match) whose trigram match is implied by a body containing
 * `term` IMAP's way (lower-cased substring), or null when the trigram index cannot answer for
 * it: fewer than 3 characters, or a character outside TRIGRAM_SAFE_RANGES. A term ending in "i"
 * also asks for U+0130 there: "İ" lower-cases to "i" + U+0307 but folds to itself.
 */
export function trigramPhrases(term: string): string[] | null {
  const lower = term.toLowerCase();
  const points = [...lower];
  if (points.length < 3) return null;
  if (!points.every((point) => trigramSafe(point.codePointAt(0) as number))) return null;
  const quote = (text: string): string => `"${text.replace(/"/g, '""')}"`;
  const phrases = [quote(lower)];
  if (lower.endsWith('i')) phrases.push(quote(`${lower.slice(0, -1)}\u0130`));
  return phrases;
}
