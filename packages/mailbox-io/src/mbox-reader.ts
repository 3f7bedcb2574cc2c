/**
 * Reads an mbox file as a stream (files of many gigabytes are common: no whole-file read), in the
 * mboxrd form described in mbox-format.ts. Flags come from the Status/X-Status/X-Keywords fields,
 * which are removed from the message (they are the file's bookkeeping, as Dovecot treats them);
 * the internal date is the separator line's date.
 */
import { createReadStream } from 'node:fs';
import { flagsFromMboxHeaders } from './flags.js';
import { takeHeaderFields } from './header-block.js';
import { MAILBOX_IO_LIMITS } from './limits.js';
import { toCrlf } from './line-endings.js';
import { MBOX_METADATA_HEADERS, parseFromLineDate } from './mbox-format.js';
import type { SourceItem } from './types.js';

const LF = 0x0a;
const FROM_ = Buffer.from('From ');

function isSeparatorCandidate(line: Buffer): boolean {
  return line.length >= 5 && line.subarray(0, 5).equals(FROM_);
}

/** `>From ` -> `From `, `>>From ` -> `>From ` (mboxrd); other lines unchanged. */
function unquote(line: Buffer): Buffer {
  if (line[0] !== 0x3e) return line;
  let i = 0;
  while (line[i] === 0x3e) i++;
  return line.subarray(i, i + 5).equals(FROM_) ? line.subarray(1) : line;
}

/**
 * Splits a byte stream into LF-terminated lines (the last may lack its LF). A line with no LF for
 * longer than `maxLine` cannot belong to a message we keep: it is passed on in pieces, so that one
 * endless line does not grow memory (its message is then skipped as too large).
 */
async function* lines(chunks: AsyncIterable<Buffer>, maxLine: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingSize = 0;
  for await (const chunk of chunks) {
    let start = 0;
    for (let lf = chunk.indexOf(LF); lf >= 0; lf = chunk.indexOf(LF, start)) {
      const piece = chunk.subarray(start, lf + 1);
      yield pending.length > 0 ? Buffer.concat([...pending, piece]) : piece;
      pending = [];
      pendingSize = 0;
      start = lf + 1;
    }
    if (start < chunk.length) {
      pending.push(chunk.subarray(start));
      pendingSize += chunk.length - start;
      if (pendingSize > maxLine) {
        yield Buffer.concat(pending);
        pending = [];
        pendingSize = 0;
      }
    }
  }
  if (pending.length > 0) yield Buffer.concat(pending);
}

export async function* readMboxStream(
  chunks: AsyncIterable<Buffer>,
  folder: string,
  origin: string,
  limits: { maxMessageBytes: number } = MAILBOX_IO_LIMITS,
): AsyncGenerator<SourceItem> {
  let current: { date: Date; lines: Buffer[]; size: number; oversize: boolean; index: number } | null = null;
  let previousEmpty = true;
  let count = 0;
  let preamble = 0;

  function* finish(): Generator<SourceItem> {
    if (!current) return;
    const item = current;
    current = null;
    const where = `${origin} message ${item.index}`;
    if (item.oversize) {
      yield { kind: 'skip', folder, origin: where, reason: `larger than ${limits.maxMessageBytes} bytes` };
      return;
    }
    // The empty line before the next separator (or at the end of the file) is the format's.
    const last = item.lines.at(-1);
    if (last && (last.length === 1 || (last.length === 2 && last[0] === 0x0d))) item.lines.pop();
    const { message, values } = takeHeaderFields(Buffer.concat(item.lines), MBOX_METADATA_HEADERS);
    const headers: { status?: string; xStatus?: string; xKeywords?: string } = {};
    if (values.has('status')) headers.status = values.get('status')!;
    if (values.has('x-status')) headers.xStatus = values.get('x-status')!;
    if (values.has('x-keywords')) headers.xKeywords = values.get('x-keywords')!;
    yield {
      kind: 'message',
      folder,
      raw: toCrlf(message),
      flags: flagsFromMboxHeaders(headers),
      internalDate: item.date,
      origin: where,
    };
  }

  for await (const line of lines(chunks, limits.maxMessageBytes)) {
    const date =
      previousEmpty && isSeparatorCandidate(line) ? parseFromLineDate(line.toString('latin1')) : null;
    previousEmpty = line.length === 1 || (line.length === 2 && line[0] === 0x0d);
    if (date) {
      yield* finish();
      current = { date, lines: [], size: 0, oversize: false, index: ++count };
      continue;
    }
    if (!current) {
      if (line.toString('latin1').trim() !== '') preamble++;
      continue;
    }
    if (current.oversize) continue;
    current.size += line.length + 1; // +1: the CR it may gain
    if (current.size > limits.maxMessageBytes) {
      current.oversize = true;
      current.lines = [];
      continue;
    }
    current.lines.push(unquote(line));
  }
  yield* finish();
  if (preamble > 0) {
    yield {
      kind: 'skip',
      folder,
      origin,
      reason: `${preamble} lines before the first "From " line are not mbox`,
    };
  }
}

export function readMboxFile(
  file: string,
  folder: string,
  limits: { maxMessageBytes: number } = MAILBOX_IO_LIMITS,
): AsyncGenerator<SourceItem> {
  return readMboxStream(createReadStream(file) as AsyncIterable<Buffer>, folder, file, limits);
}
