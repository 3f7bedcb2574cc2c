/**
 * Splits a multipart body at its boundary delimiter lines (RFC 2046 5.1.1), byte-exactly.
 */
import { CR, HTAB, LF, SP, lineEnd } from './bytes.js';

/** Where one body part lies in the raw message: [start, end). */
export interface PartRange {
  start: number;
  end: number;
}

const DASH = 0x2d;

/**
 * Whether what follows "--boundary" on a line lets it be a delimiter. RFC 2046 5.1.1 allows only
 * transport padding, yet says a prefix match is enough ("it is sufficient that the boundary appear
 * in its entirety following the CRLF"), and real mail writes text after delimiters. So we accept
 * the line end, white space, or the close "--" followed by anything; but not another boundary
 * character: `--b_2` belongs to a nested boundary `b_2`, not to `b` (similar boundaries are common).
 */
function endsDelimiter(raw: Buffer, tail: number, lineStop: number, close: boolean): boolean {
  if (close || tail >= lineStop) return true;
  const c = raw[tail];
  return c === SP || c === HTAB || c === CR || c === LF;
}

/**
 * The parts of the multipart body in [start, end) delimited by `boundary`.
 *
 * RFC 2046 5.1.1: a delimiter line is "--" boundary at the start of a line, optionally followed
 * by "--" (the close delimiter); see endsDelimiter for what may follow. The line break
 * before a delimiter belongs to the delimiter, so a part ends before it. The preamble and the
 * epilogue are not parts. A missing close delimiter lets the last part run to `end`.
 *
 * At most `maxParts` parts are split out (>= 1); the last one then runs to `end`.
 * Returns an empty list when no delimiter line is found.
 */
export function splitMultipart(
  raw: Buffer,
  start: number,
  end: number,
  boundary: Buffer,
  maxParts: number,
): PartRange[] {
  const delimiter = Buffer.concat([Buffer.from('--'), boundary]);
  const parts: PartRange[] = [];
  let partStart = -1;
  let pos = start;
  while (pos < end) {
    const at = raw.indexOf(delimiter, pos);
    if (at === -1 || at + delimiter.length > end) break;
    if (at !== start && raw[at - 1] !== LF) {
      pos = at + 1;
      continue;
    }
    const lineStop = lineEnd(raw, at, end);
    let tail = at + delimiter.length;
    const close = tail + 1 < lineStop && raw[tail] === DASH && raw[tail + 1] === DASH;
    if (close) tail += 2;
    if (!endsDelimiter(raw, tail, lineStop, close)) {
      pos = at + 1;
      continue;
    }
    if (partStart !== -1) {
      let partEnd = at;
      if (partEnd > partStart && raw[partEnd - 1] === LF) {
        partEnd--;
        if (partEnd > partStart && raw[partEnd - 1] === CR) partEnd--;
      }
      parts.push({ start: partStart, end: partEnd });
    }
    if (close) return parts;
    partStart = lineStop;
    pos = lineStop;
    if (parts.length === maxParts - 1) break;
  }
  if (partStart !== -1) parts.push({ start: partStart, end });
  return parts;
}
