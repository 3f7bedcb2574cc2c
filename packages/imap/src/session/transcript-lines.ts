import { recordBodyPreview, type TranscriptSink } from '@minimail/protocol';

/** Response lines of one write recorded before the rest is told as a size (a FETCH of 1:* is long). */
const MAX_LINES_PER_WRITE = 40;
/** RFC 3501 4.3: a line ending in `{n}` is followed by n octets of literal data. */
const LITERAL_AT_END = /\{(\d+)\}$/;

/**
 * Records the server's responses in one write as transcript lines: each line as sent, each
 * literal (a FETCHed body) as a short preview and its size, never the whole message.
 */
export function recordImapResponses(sink: TranscriptSink, data: Buffer): void {
  let offset = 0;
  let lines = 0;
  while (offset < data.length) {
    if (lines >= MAX_LINES_PER_WRITE) {
      sink.note(`[${data.length - offset} more octets of responses]`);
      return;
    }
    const end = data.indexOf('\r\n', offset);
    const stop = end === -1 ? data.length : end;
    const line = data.subarray(offset, stop).toString('utf8');
    sink.server(line);
    lines += 1;
    offset = end === -1 ? data.length : end + 2;
    const literal = LITERAL_AT_END.exec(line);
    if (literal !== null) {
      const size = Math.min(Number(literal[1]), data.length - offset);
      recordBodyPreview(sink, 'S', data.subarray(offset, offset + size));
      offset += size;
      // The rest of the line after the literal (e.g. ")") continues to its CRLF.
      const after = data.indexOf('\r\n', offset);
      const tailEnd = after === -1 ? data.length : after;
      const tail = data.subarray(offset, tailEnd).toString('utf8');
      if (tail !== '') sink.server(tail);
      offset = after === -1 ? data.length : after + 2;
    }
  }
}
