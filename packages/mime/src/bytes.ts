/** Small byte-level helpers shared by the parser. Mail mixes CRLF and bare LF, so all accept both. */

export const LF = 0x0a;
export const CR = 0x0d;
export const SP = 0x20;
export const HTAB = 0x09;

/** End of the line that starts at `pos`: the offset just after its LF, or `end` if it has none. */
export function lineEnd(raw: Buffer, pos: number, end: number): number {
  const lf = raw.indexOf(LF, pos);
  return lf === -1 || lf >= end ? end : lf + 1;
}

/** Whether [start, stop) holds only a line break (CRLF, LF or a lone CR before the end). */
export function isBlankLine(raw: Buffer, start: number, stop: number): boolean {
  for (let i = start; i < stop; i++) {
    const c = raw[i];
    if (c !== CR && c !== LF) return false;
  }
  return true;
}

/** Number of LF octets in [start, end). */
export function countLines(raw: Buffer, start: number, end: number): number {
  let lines = 0;
  let pos = raw.indexOf(LF, start);
  while (pos !== -1 && pos < end) {
    lines++;
    pos = raw.indexOf(LF, pos + 1);
  }
  return lines;
}

/** Whether every octet is 7-bit. */
export function isAscii(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(text);
}

/**
 * Header octets as a "byte string" (one char per octet, latin1). Used where the raw octets must
 * survive unchanged, e.g. ENVELOPE strings, which RFC 3501 sends undecoded.
 */
export function byteString(raw: Buffer, start: number, end: number): string {
  return raw.toString('latin1', start, end);
}

const utf8Lenient = new TextDecoder('utf-8', { fatal: false });

/**
 * Octets as text for humans and SEARCH. Raw 8-bit headers are nearly always UTF-8 today, sometimes
 * cut short mid-character by a careless mailer; older ones are latin1. So: UTF-8 when the octets
 * hold at least one well-formed multi-byte character (a broken one becomes U+FFFD), otherwise
 * latin1, which maps every octet to one character and loses none.
 */
export function bytesToText(bytes: Buffer): string {
  const text = utf8Lenient.decode(bytes);
  if (isAscii(text)) return text;
  // Any non-ASCII character other than U+FFFD (surrogate halves included) came from well-formed UTF-8.
  return /[\u0080-\ufffc\ufffe\uffff]/.test(text) ? text : bytes.toString('latin1');
}

/** A byte string (see byteString) back to text, decoding its octets as in bytesToText. */
export function byteStringToText(s: string): string {
  return isAscii(s) ? s : bytesToText(Buffer.from(s, 'latin1'));
}

/** RFC 5322 2.2.3 unfolding: remove each line break that is followed by white space. */
export function unfold(s: string): string {
  const lf = s.indexOf('\n');
  // Most fields are one line: nothing to unfold, at most the final line break to drop.
  if (lf === -1) return s;
  if (lf === s.length - 1) return s.slice(0, lf > 0 && s.charCodeAt(lf - 1) === CR ? lf - 1 : lf);
  return s.replace(/\r?\n(?=[ \t])/g, '').replace(/\r?\n$/, '');
}
