/**
 * Multi-line response bodies (RFC 1939 3): every line that starts with "." gets one more "." in
 * front, and the response ends with a line holding only ".". Pure code over Buffers, so it works
 * chunk by chunk on a message of any size.
 */

const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;

export const TERMINATOR = Buffer.from('.\r\n', 'latin1');
const CRLF_TERMINATOR = Buffer.from('\r\n.\r\n', 'latin1');

/** A line that starts with the termination octet, seen from the end of the line before it. */
const LF_DOT = Buffer.from('\n.', 'latin1');

/** Stuffs consecutive chunks of one body, remembering whether the next chunk starts a line. */
export class DotStuffer {
  private atLineStart = true;

  /** The chunk with "." doubled at every line start. Returns the input itself when nothing changes. */
  stuff(chunk: Buffer): Buffer {
    if (chunk.length === 0) return chunk;
    const pieces: Buffer[] = [];
    let copiedUpTo = 0;
    // One native search for "\n." over the chunk instead of a call per line: most messages have
    // no line starting with "." at all, and then the chunk goes out as it is.
    let dot = this.atLineStart && chunk[0] === DOT ? 0 : dotAfterLf(chunk, 0);
    while (dot >= 0) {
      // Emit through the dot, then let the dot be emitted again with the rest: ".." at line start.
      pieces.push(chunk.subarray(copiedUpTo, dot + 1));
      copiedUpTo = dot;
      dot = dotAfterLf(chunk, dot + 1);
    }
    this.atLineStart = chunk[chunk.length - 1] === LF;
    if (pieces.length === 0) return chunk;
    pieces.push(chunk.subarray(copiedUpTo));
    return Buffer.concat(pieces);
  }

  /**
   * The end of the response: ".\r\n" after a complete last line, or "\r\n.\r\n" when the body's
   * last line had no line ending (RFC 1939 3: the terminator is a line of its own).
   */
  end(): Buffer {
    return this.atLineStart ? TERMINATOR : CRLF_TERMINATOR;
  }
}

/** Offset of the next "." that starts a line (follows an LF) at or after `from`, or -1. */
function dotAfterLf(chunk: Buffer, from: number): number {
  const lf = chunk.indexOf(LF_DOT, from > 0 ? from - 1 : 0);
  return lf < 0 ? -1 : lf + 1;
}

/** Stuff one whole body (small bodies and tests); large ones go through DotStuffer chunk by chunk. */
export function stuffBody(body: Buffer): Buffer {
  const stuffer = new DotStuffer();
  return Buffer.concat([stuffer.stuff(body), stuffer.end()]);
}

/**
 * RFC 1939 7 (TOP msg n): the header, the blank line that ends it, and the first `bodyLines` lines
 * of the body. Returns a view into `raw` (no copy). A message without a blank line is all header.
 */
export function topOfMessage(raw: Buffer, bodyLines: number): Buffer {
  const bodyStart = headerEnd(raw);
  if (bodyStart < 0) return raw;
  let end = bodyStart;
  for (let line = 0; line < bodyLines && end < raw.length; line += 1) {
    const lf = raw.indexOf(LF, end);
    end = lf < 0 ? raw.length : lf + 1;
  }
  return raw.subarray(0, end);
}

/** Offset just after the blank line that ends the header (RFC 5322 2.1), or -1 if none. */
function headerEnd(raw: Buffer): number {
  if (raw[0] === LF) return 1;
  if (raw[0] === CR && raw[1] === LF) return 2;
  let from = 0;
  while (true) {
    const lf = raw.indexOf(LF, from);
    if (lf < 0) return -1;
    if (raw[lf + 1] === LF) return lf + 2;
    if (raw[lf + 1] === CR && raw[lf + 2] === LF) return lf + 3;
    from = lf + 1;
  }
}
