/**
 * Typed values -> IMAP response bytes (RFC 3501 4 data formats, 7 responses). Strings are quoted
 * when that is safe and become literals otherwise, so no value can break the framing.
 */

import type { ImapValue } from '@minimail/mime';

/**
 * The value type @minimail/mime builds ENVELOPE and BODYSTRUCTURE in, so they need no conversion.
 * `null` is NIL, a string is a string (quoted or literal), a Buffer a literal.
 */
export type { ImapValue };

/** Sent as-is, unquoted: flags (`\Seen`), keywords, fetch item names, response words. */
export interface ImapAtom {
  readonly atom: string;
}

/** RFC 3516 4.3: `~{n}` + octets, for FETCH BINARY data that holds NUL. */
export interface ImapLiteral8 {
  readonly literal8: Buffer;
}

/** Anything a response may carry: ImapValue plus explicit atoms (and literal8) at any depth. */
export type ResponseValue =
  null | number | string | Buffer | ImapAtom | ImapLiteral8 | readonly ResponseValue[];

/** RFC 3501 7.1 status responses, and PREAUTH/BYE which share their shape. */
export type ResponseStatus = 'OK' | 'NO' | 'BAD';
export type UntaggedStatus = ResponseStatus | 'BYE' | 'PREAUTH';

const CRLF = '\r\n';
const LINE_BREAK = /[\r\n\0]/;

export function atom(text: string): ImapAtom {
  if (text.length === 0 || LINE_BREAK.test(text)) throw new TypeError(`Not an atom: ${JSON.stringify(text)}`);
  return { atom: text };
}

function isAtomValue(value: ResponseValue): value is ImapAtom {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Buffer.isBuffer(value) &&
    !Array.isArray(value) &&
    'atom' in value
  );
}

/** RFC 3516 4.3: binary data as a literal8 when it holds NUL, else as an ordinary literal. */
export function binaryData(bytes: Buffer): ResponseValue {
  return bytes.includes(0) ? { literal8: bytes } : bytes;
}

/**
 * RFC 3501 4.3: a quoted string holds 7-bit TEXT-CHARs only (no CR, LF, NUL, 8-bit); `"` and `\`
 * are escaped. Anything else must be a literal.
 */
function canQuote(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code === 0 || code === 0x0a || code === 0x0d || code > 0x7f) return false;
  }
  return true;
}

function quote(text: string): string {
  return `"${text.replace(/[\\"]/g, (ch) => `\\${ch}`)}"`;
}

/** Collects text and binary pieces and joins them into one Buffer at the end. */
class ResponseWriter {
  private readonly parts: Buffer[] = [];
  private text = '';

  raw(text: string): void {
    this.text += text;
  }

  literal(bytes: Buffer, prefix = ''): void {
    this.text += `${prefix}{${bytes.length}}${CRLF}`;
    this.parts.push(Buffer.from(this.text, 'utf8'), bytes);
    this.text = '';
  }

  value(value: ResponseValue): void {
    if (value === null) this.raw('NIL');
    else if (typeof value === 'number') this.raw(formatNumber(value));
    else if (typeof value === 'string') {
      if (canQuote(value)) this.raw(quote(value));
      else this.literal(Buffer.from(value, 'utf8'));
    } else if (Buffer.isBuffer(value)) this.literal(value);
    else if (isAtomValue(value)) this.raw(value.atom);
    else if (Array.isArray(value)) this.list(value as readonly ResponseValue[]);
    else this.literal((value as ImapLiteral8).literal8, '~');
  }

  /**
   * A parenthesized list. The leading run of lists inside a list is written back to back, with no
   * space, because that is what the grammar says wherever minimail sends lists of lists:
   * RFC 3501 9 `env-from = "(" 1*address ")"`, `body-type-mpart = 1*body SP media-subtype`, and
   * RFC 2342 `Namespace = nil / "(" 1*Namespace-Descr ")"`. Elsewhere (ENVELOPE's own fields,
   * extension data) a list follows a string or NIL and keeps its separating space.
   */
  list(values: readonly ResponseValue[]): void {
    this.raw('(');
    let leadingLists = true;
    values.forEach((item, index) => {
      const isList = Array.isArray(item);
      if (index > 0 && !(leadingLists && isList)) this.raw(' ');
      if (!isList) leadingLists = false;
      this.value(item);
    });
    this.raw(')');
  }

  toBuffer(): Buffer {
    // Most responses (every FETCH FLAGS line) hold no literal: one string, one Buffer, no concat.
    if (this.parts.length === 0) return Buffer.from(this.text, 'utf8');
    return Buffer.concat([...this.parts, Buffer.from(this.text, 'utf8')]);
  }
}

/** RFC 3501 4.2: numbers are unsigned 32-bit (63-bit for RFC 7162 modseq); never negative or fractional. */
function formatNumber(value: number): string {
  if (!Number.isSafeInteger(value) || value < 0) throw new TypeError(`Not an IMAP number: ${value}`);
  return String(value);
}

/** One value on its own: `NIL`, `42`, `"x"`, `{3}\r\nabc`, `(a b)`. */
export function serializeValue(value: ResponseValue): Buffer {
  const writer = new ResponseWriter();
  writer.value(value);
  return writer.toBuffer();
}

/**
 * Untagged data response: `* <head> <value> <value>...\r\n`. `head` is raw response text such
 * as `5 FETCH`, `LIST` or `CAPABILITY IMAP4rev1 IDLE`; values are serialized.
 * Example: untagged('LIST', [atom('\\HasNoChildren')], '/', 'INBOX').
 */
export function untagged(head: string, ...values: readonly ResponseValue[]): Buffer {
  assertSingleLine(head);
  const writer = new ResponseWriter();
  writer.raw(`* ${head}`);
  for (const value of values) {
    writer.raw(' ');
    writer.value(value);
  }
  writer.raw(CRLF);
  return writer.toBuffer();
}

/** `* <seq> FETCH (<name> <value> ...)` with item names sent raw (e.g. `BODY[1]<0>`). */
export function fetchResponse(
  sequence: number,
  items: ReadonlyArray<readonly [string, ResponseValue]>,
): Buffer {
  const writer = new ResponseWriter();
  writer.raw(`* ${formatNumber(sequence)} FETCH (`);
  items.forEach(([name, value], index) => {
    assertSingleLine(name);
    writer.raw(`${index > 0 ? ' ' : ''}${name} `);
    writer.value(value);
  });
  writer.raw(`)${CRLF}`);
  return writer.toBuffer();
}

/** `* OK [code] text`, `* BYE text`, `* PREAUTH ...` (RFC 3501 7.1). */
export function untaggedStatus(status: UntaggedStatus, code: string | null, text: string): Buffer {
  return Buffer.from(`* ${statusLine(status, code, text)}${CRLF}`, 'utf8');
}

/** `<tag> OK|NO|BAD [code] text` (RFC 3501 7.1). */
export function tagged(tag: string, status: ResponseStatus, code: string | null, text: string): Buffer {
  assertSingleLine(tag);
  return Buffer.from(`${tag} ${statusLine(status, code, text)}${CRLF}`, 'utf8');
}

/** `+ text` (RFC 3501 7.5); also carries SASL challenges (base64 text). */
export function continuation(text: string): Buffer {
  return Buffer.from(`+ ${sanitizeText(text)}${CRLF}`, 'utf8');
}

/**
 * Response code text from a name and values, e.g. responseCode('APPENDUID', 38505, atom('3955'))
 * -> `APPENDUID 38505 3955`, responseCode('PERMANENTFLAGS', [atom('\\Seen'), atom('\\*')]).
 * Literals cannot appear inside `[...]`, so a value that would need one is an error.
 */
export function responseCode(name: string, ...values: readonly ResponseValue[]): string {
  const text = [name, ...values.map((value) => serializeValue(value).toString('utf8'))].join(' ');
  if (LINE_BREAK.test(text)) throw new TypeError(`Response code cannot hold a literal: ${name}`);
  return text;
}

function statusLine(status: string, code: string | null, text: string): string {
  if (code !== null && (LINE_BREAK.test(code) || code.includes(']'))) {
    throw new TypeError(`Invalid response code: ${JSON.stringify(code)}`);
  }
  const prefix = code === null ? '' : `[${code}] `;
  return `${status} ${prefix}${sanitizeText(text)}`;
}

/** RFC 3501 9: text = 1*TEXT-CHAR (no CR/LF). Human text must never end the line early. */
function sanitizeText(text: string): string {
  const clean = text.replace(/[\r\n\0]+/g, ' ');
  return clean.length > 0 ? clean : 'Completed';
}

function assertSingleLine(text: string): void {
  if (LINE_BREAK.test(text)) throw new TypeError(`Response text must be one line: ${JSON.stringify(text)}`);
}
