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

function onlyWhitespace(raw: Buffer, start: number, stop: number): boolean {
  for (let i = start; i < stop; i++) {
    const c = raw[i];
    if (c !== SP && c !== HTAB && c !== CR && c !== LF) return false;
  }
  return true;
}

/**
 * The parts of the multipart body in [start, end) delimited by `boundary`.
 *
 * RFC 2046 5.1.1: a delimiter line is "--" boundary at the start of a line, optionally followed
 * by "--" (the close delimiter) and then only white space (transport padding). The line break
 * before a delimiter belongs to the delimiter, so a part ends before it. The preamble and the
 * epilogue are not parts. A missing close delimiter lets the last part run to `end`.
 * Only the exact boundary counts: `--b2` is not a delimiter of boundary `b`, which keeps
 * similar nested boundaries apart.
 *
 * At most `maxParts` parts are split out (>= 1); the last one then runs to `end`.
 * Returns an empty list when no delimiter line is found.
 */
export function splitMultipart(raw: Buffer, start: number, end: number, boundary: Buffer, maxParts: number): PartRange[] {
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
    if (!onlyWhitespace(raw, tail, lineStop)) {
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
