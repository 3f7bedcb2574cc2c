/**
 * RFC 5804 4 wire format: a command is atoms, quoted strings and literals ({n+} or {n} CRLF and
 * n octets, which may be followed by more of the line). Responses are OK / NO / BYE with an
 * optional response code and a human-readable string. Pure: bytes in, values out.
 */
import { LineTooLongError, type LineReader } from '@minimail/protocol';
import { MAX_ARGUMENTS, MAX_LINE_BYTES, MAX_LITERAL_BYTES } from './limits.js';

export type Word = { kind: 'atom'; value: string } | { kind: 'string'; value: string };

export class ProtocolError extends Error {
  constructor(
    message: string,
    /** The error ends the session (the stream can no longer be trusted). */
    readonly fatal = false,
  ) {
    super(message);
  }
}

/** Tokenize one line; returns the words and, if the line ends in a literal, its size. */
export function tokenizeLine(line: string): { words: Word[]; literal: number | null } {
  const words: Word[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ') {
      i++;
      continue;
    }
    if (c === '"') {
      let out = '';
      i++;
      for (;;) {
        if (i >= line.length) throw new ProtocolError('unterminated quoted string');
        const d = line[i]!;
        if (d === '"') break;
        // RFC 5804 4: QUOTED-SPECIALS are escaped with "\"; nothing else may be.
        if (d === '\\') {
          const e = line[i + 1];
          if (e !== '"' && e !== '\\') throw new ProtocolError('bad escape in quoted string');
          out += e;
          i += 2;
          continue;
        }
        out += d;
        i++;
      }
      i++;
      words.push({ kind: 'string', value: out });
      continue;
    }
    if (c === '{') {
      const m = /^\{(\d{1,10})(\+?)\}$/.exec(line.slice(i));
      if (!m) throw new ProtocolError('bad literal');
      return { words, literal: Number(m[1]) };
    }
    let j = i;
    while (j < line.length && line[j] !== ' ' && line[j] !== '"' && line[j] !== '{') j++;
    words.push({ kind: 'atom', value: line.slice(i, j) });
    i = j;
  }
  return { words, literal: null };
}

/** Read one command (with any literals); null at end of stream. */
export async function readCommand(reader: LineReader): Promise<Word[] | null> {
  const words: Word[] = [];
  for (;;) {
    let line: Buffer | null;
    try {
      line = await reader.readLine(MAX_LINE_BYTES);
    } catch (error) {
      if (error instanceof LineTooLongError) throw new ProtocolError('line too long');
      throw error;
    }
    if (line === null) return null;
    const { words: more, literal } = tokenizeLine(line.toString('utf8'));
    words.push(...more);
    if (words.length > MAX_ARGUMENTS + 1) throw new ProtocolError('too many arguments');
    if (literal === null) return words;
    if (literal > MAX_LITERAL_BYTES) {
      // The literal's octets are already on their way and cannot be skipped reliably: end here.
      throw new ProtocolError(`literal larger than ${MAX_LITERAL_BYTES} octets`, true);
    }
    const bytes = await reader.readBytes(literal);
    if (bytes === null) return null;
    words.push({ kind: 'string', value: bytes.toString('utf8') });
  }
}

/** A string as a quoted string when it can be one, else as a literal (RFC 5804 4). */
export function encodeString(s: string): string {
  if (!/[\r\n"\\]/.test(s) && Buffer.byteLength(s, 'utf8') <= 1024) return `"${s}"`;
  if (!/[\r\n]/.test(s)) return `"${s.replace(/["\\]/g, (c) => '\\' + c)}"`;
  return `{${Buffer.byteLength(s, 'utf8')}}\r\n${s}`;
}

/** OK / NO / BYE [code] [text] (RFC 5804 1.2, 1.3). */
export function response(kind: 'OK' | 'NO' | 'BYE', code: string | null, text: string | null): string {
  let out: string = kind;
  if (code !== null) out += ` (${code})`;
  if (text !== null) out += ` ${encodeString(text)}`;
  return out + '\r\n';
}
