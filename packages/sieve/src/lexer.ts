/**
 * RFC 5228 8.1 lexical tokens: identifiers, tags, numbers (with K/M/G), quoted and multi-line
 * strings, punctuation; `#` and bracket comments are skipped. Pure: text in, tokens out. Each token
 * keeps its line for error messages at upload.
 */
import { SieveParseError } from './errors.js';
import type { SieveLimits } from './limits.js';

export type TokenType =
  'identifier' | 'tag' | 'number' | 'string' | '[' | ']' | '(' | ')' | ',' | ';' | '{' | '}' | 'eof';

export interface Token {
  type: TokenType;
  /** Identifier/tag name (lower-cased: RFC 5228 2.9 identifiers are case-insensitive), string text. */
  text: string;
  /** Numbers only: the value with its quantifier applied. */
  value: number;
  line: number;
}

/** RFC 5228 2.4.1: K, M, G quantifiers (powers of 2). */
const QUANTIFIERS: Readonly<Record<string, number>> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
/** RFC 5228 2.4.1: implementations must support at least 2^31 - 1; larger is an error, not a wrap. */
const MAX_NUMBER = 2 ** 53 - 1;

const PUNCT = new Set(['[', ']', '(', ')', ',', ';', '{', '}']);

function isIdentStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
}
function isIdentChar(c: string): boolean {
  return isIdentStart(c) || (c >= '0' && c <= '9');
}
function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

export function tokenize(
  source: string,
  limits: Pick<SieveLimits, 'maxScriptBytes' | 'maxStringLength'>,
): Token[] {
  if (Buffer.byteLength(source, 'utf8') > limits.maxScriptBytes) {
    throw new SieveParseError(1, `script larger than ${limits.maxScriptBytes} octets`);
  }
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  const n = source.length;
  const push = (type: TokenType, text: string, value = 0, at = line): void => {
    tokens.push({ type, text, value, line: at });
  };
  const checkLength = (len: number, at: number): void => {
    if (len > limits.maxStringLength) {
      throw new SieveParseError(at, `string longer than ${limits.maxStringLength} characters`);
    }
  };

  while (i < n) {
    const c = source[i]!;
    if (c === '\n') {
      line++;
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < n && source[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && source[i + 1] === '*') {
      const start = line;
      const end = source.indexOf('*/', i + 2);
      if (end < 0) throw new SieveParseError(start, 'unterminated bracket comment');
      for (let k = i; k < end; k++) if (source[k] === '\n') line++;
      i = end + 2;
      continue;
    }
    if (PUNCT.has(c)) {
      push(c as TokenType, c);
      i++;
      continue;
    }
    if (c === '"') {
      const start = line;
      let out = '';
      i++;
      for (;;) {
        if (i >= n) throw new SieveParseError(start, 'unterminated string');
        const d = source[i]!;
        if (d === '"') {
          i++;
          break;
        }
        if (d === '\\') {
          // RFC 5228 2.4.2: \" and \\ are the escapes; any other backslash is dropped.
          const e = source[i + 1];
          if (e === undefined) throw new SieveParseError(start, 'unterminated string');
          if (e === '\n') line++;
          out += e;
          i += 2;
        } else {
          if (d === '\n') line++;
          out += d;
          i++;
        }
        checkLength(out.length, start);
      }
      push('string', out, 0, start);
      continue;
    }
    if (c === ':') {
      let j = i + 1;
      if (j >= n || !isIdentStart(source[j]!))
        throw new SieveParseError(line, 'expected a tag name after ":"');
      while (j < n && isIdentChar(source[j]!)) j++;
      push('tag', source.slice(i + 1, j).toLowerCase());
      i = j;
      continue;
    }
    if (isDigit(c)) {
      let j = i;
      while (j < n && isDigit(source[j]!)) j++;
      let value = Number(source.slice(i, j));
      const q = source[j]?.toLowerCase();
      if (q !== undefined && q in QUANTIFIERS) {
        value *= QUANTIFIERS[q]!;
        j++;
      }
      if (!Number.isSafeInteger(value) || value > MAX_NUMBER)
        throw new SieveParseError(line, 'number too large');
      push('number', source.slice(i, j), value);
      i = j;
      continue;
    }
    if (isIdentStart(c)) {
      let j = i;
      while (j < n && isIdentChar(source[j]!)) j++;
      const word = source.slice(i, j).toLowerCase();
      // RFC 5228 2.4.2: multi-line string `text:` then optional blanks or a hash comment, CRLF,
      // lines up to a line holding only "."; a leading ".." stands for ".".
      if (word === 'text' && source[j] === ':') {
        const start = line;
        let k = j + 1;
        while (k < n && (source[k] === ' ' || source[k] === '\t')) k++;
        if (source[k] === '#') while (k < n && source[k] !== '\n') k++;
        if (source[k] === '\r') k++;
        if (source[k] !== '\n') throw new SieveParseError(start, 'expected end of line after "text:"');
        k++;
        line++;
        const lines: string[] = [];
        let length = 0;
        for (;;) {
          if (k >= n) throw new SieveParseError(start, 'unterminated multi-line string');
          let e = source.indexOf('\n', k);
          if (e < 0) e = n;
          let text = source.slice(k, e);
          if (text.endsWith('\r')) text = text.slice(0, -1);
          k = e + 1;
          line++;
          if (text === '.') break;
          if (text.startsWith('..')) text = text.slice(1);
          lines.push(text);
          length += text.length + 2;
          checkLength(length, start);
        }
        // The CRLF before the terminating "." belongs to the string (each line ends in CRLF).
        push('string', lines.map((l) => l + '\r\n').join(''), 0, start);
        // the final line's '\n' was consumed above
        i = k;
        continue;
      }
      push('identifier', word);
      i = j;
      continue;
    }
    throw new SieveParseError(line, `unexpected character ${JSON.stringify(c)}`);
  }
  push('eof', '');
  return tokens;
}
