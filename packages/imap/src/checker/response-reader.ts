/**
 * The checker's own wire reader and response parser (tests only). Deliberately small and strict:
 * it reads one server response at a time (a line, with any `{n}` literals spliced in, RFC 3501
 * 4.3) and turns it into tokens, so the checker sees exactly what the server said, in order.
 * imapflow would hide the order and the raw numbers, which is what the checker is about.
 */
import type { Socket } from 'node:net';

/** A parsed token: an atom or number as its text, a string (quoted or literal), NIL, or a list. */
export type Token = string | { str: string } | null | Token[];

/** One response: the raw text (literals shown by size) and its tokens after the tag. */
export interface Response {
  raw: string;
  tag: string;
  tokens: Token[];
  /** For status responses (OK/NO/BAD/BYE/PREAUTH): the response code's tokens, or null. */
  code: Token[] | null;
}

/** Pulls complete responses out of a socket's bytes, literals included. */
export class ResponseReader {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly queue: Response[] = [];
  private waiter: ((response: Response | Error) => void) | null = null;
  private failure: Error | null = null;

  constructor(socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.extract();
    });
    socket.on('close', () => this.fail(new Error('connection closed by the server')));
    socket.on('error', (error) => this.fail(error));
  }

  /** The next response, in arrival order. */
  next(): Promise<Response> {
    const ready = this.queue.shift();
    if (ready) return Promise.resolve(ready);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiter = (value) => (value instanceof Error ? reject(value) : resolve(value));
    });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.(this.failure);
  }

  private extract(): void {
    for (;;) {
      const parsed = takeResponse(this.buffer);
      if (parsed === null) return;
      this.buffer = this.buffer.subarray(parsed.consumed);
      const waiter = this.waiter;
      if (waiter) {
        this.waiter = null;
        waiter(parsed.response);
      } else {
        this.queue.push(parsed.response);
      }
    }
  }
}

/** One whole response from the front of `buffer`, or null when more bytes are needed. */
function takeResponse(buffer: Buffer): { response: Response; consumed: number } | null {
  let offset = 0;
  let text = '';
  let raw = '';
  const bodies: string[] = [];
  for (;;) {
    const end = buffer.indexOf('\r\n', offset);
    if (end === -1) return null;
    const line = buffer.toString('latin1', offset, end);
    const literal = /\{(\d+)\+?\}$/.exec(line);
    if (literal === null) {
      text += line;
      raw += line;
      const response = parseResponse(text, bodies);
      response.raw = raw;
      return { response, consumed: end + 2 };
    }
    const size = Number(literal[1]);
    if (buffer.length < end + 2 + size) return null;
    // A placeholder the tokenizer replaces with the literal's bytes, in order.
    text += `${line.slice(0, literal.index)}\u0000${bodies.length}\u0000`;
    bodies.push(buffer.toString('latin1', end + 2, end + 2 + size));
    raw += `${line.slice(0, literal.index)}{${size}}`;
    offset = end + 2 + size;
  }
}

/**
 * Parses one response text (tag, then tokens; a status response's `[code]` apart). Literals are
 * `\u0000<index>\u0000` placeholders into `bodies`.
 */
export function parseResponse(text: string, bodies: readonly string[] = []): Response {
  const space = text.indexOf(' ');
  const tag = space === -1 ? text : text.slice(0, space);
  const rest = space === -1 ? '' : text.slice(space + 1);
  const tokenizer = new Tokenizer(rest, bodies);
  const tokens: Token[] = [];
  let code: Token[] | null = null;
  // `* 3 EXISTS` / `* OK [..] text` / `tag OK [..] text`: the status text is not tokenized.
  const first = tokenizer.token();
  if (first !== undefined) tokens.push(first);
  const isNumber = typeof first === 'string' && /^\d+$/.test(first);
  const word = isNumber ? tokenizer.token() : first;
  if (isNumber && word !== undefined) tokens.push(word);
  if (typeof word === 'string' && /^(OK|NO|BAD|BYE|PREAUTH)$/i.test(word) && !isNumber) {
    code = tokenizer.responseCode();
    tokens.push(tokenizer.remainder());
    return { raw: text, tag, tokens, code };
  }
  for (;;) {
    const token = tokenizer.token();
    if (token === undefined) break;
    tokens.push(token);
  }
  return { raw: text, tag, tokens, code };
}

class Tokenizer {
  private position = 0;
  constructor(
    private readonly text: string,
    private readonly literalBodies: readonly string[],
  ) {}

  remainder(): string {
    const rest = this.text.slice(this.position).trimStart();
    this.position = this.text.length;
    return rest;
  }

  responseCode(): Token[] | null {
    this.skipSpaces();
    if (this.text[this.position] !== '[') return null;
    this.position += 1;
    const tokens: Token[] = [];
    for (;;) {
      this.skipSpaces();
      if (this.text[this.position] === ']') {
        this.position += 1;
        return tokens;
      }
      const token = this.token(true);
      if (token === undefined) throw new Error(`unterminated response code in: ${this.text}`);
      tokens.push(token);
    }
  }

  /** The next token, or undefined at the end (or at `)` / `]`, left for the caller). */
  token(inCode = false): Token | undefined {
    this.skipSpaces();
    const char = this.text[this.position];
    if (char === undefined || char === ')' || (inCode && char === ']')) return undefined;
    if (char === '(') {
      this.position += 1;
      const list: Token[] = [];
      for (;;) {
        const item = this.token(inCode);
        if (item === undefined) break;
        list.push(item);
      }
      if (this.text[this.position] !== ')') throw new Error(`unterminated list in: ${this.text}`);
      this.position += 1;
      return list;
    }
    if (char === '"') {
      let value = '';
      this.position += 1;
      for (;;) {
        const next = this.text[this.position];
        if (next === undefined) throw new Error(`unterminated string in: ${this.text}`);
        this.position += 1;
        if (next === '"') return { str: value };
        if (next === '\\') {
          value += this.text[this.position] ?? '';
          this.position += 1;
        } else {
          value += next;
        }
      }
    }
    if (char === '\u0000') {
      const close = this.text.indexOf('\u0000', this.position + 1);
      const index = Number(this.text.slice(this.position + 1, close));
      this.position = close + 1;
      return { str: this.literalBodies[index] ?? '' };
    }
    // An atom; `BODY[HEADER.FIELDS (SUBJECT)]<0>` is one atom, brackets and all.
    const start = this.position;
    let depth = 0;
    while (this.position < this.text.length) {
      const c = this.text[this.position] as string;
      if (c === '[') depth += 1;
      else if (c === ']') {
        if (depth === 0) break;
        depth -= 1;
      } else if (depth === 0 && (c === ' ' || c === '(' || c === ')' || c === '"')) break;
      this.position += 1;
    }
    const atom = this.text.slice(start, this.position);
    return atom.toUpperCase() === 'NIL' ? null : atom;
  }

  private skipSpaces(): void {
    while (this.text[this.position] === ' ') this.position += 1;
  }
}

/** A list token's items as strings (atoms and strings alike); throws on anything else. */
export function stringsOf(token: Token | undefined): string[] {
  if (!Array.isArray(token)) throw new Error(`expected a list, got ${JSON.stringify(token)}`);
  return token.map((item) => {
    if (typeof item === 'string') return item;
    if (item !== null && !Array.isArray(item)) return item.str;
    throw new Error(`expected a flat list, got ${JSON.stringify(token)}`);
  });
}
