/**
 * Cursor over a CommandFrame for the recursive-descent parser: reads the RFC 3501 9 building
 * blocks (SP, atom, quoted, literal, astring, nstring, number, lists) and counts items and nesting
 * against limits.ts. Every failure is an ImapWireError whose message can go on the BAD line.
 */
import { ImapWireError } from './errors.js';
import { isSpooled, type CommandFrame, type Literal } from './frame.js';
import { MAX_ARGS, MAX_NESTING } from './limits.js';
import { isAstringChar, isAtomChar } from './syntax.js';

/** RFC 3501 9: number = 1*DIGIT, unsigned 32-bit. */
const MAX_NUMBER = 0xffffffff;
/**
 * RFC 7162 7: mod-sequence values are up to 63 bits. The store counts them as JS numbers, so a
 * value beyond 2^53 - 1 can be neither issued nor compared exactly; such a value is refused.
 */
const MAX_MODSEQ = Number.MAX_SAFE_INTEGER;
const LITERAL_MARKER = /^\{(\d+)(\+?)\}$/;

export class ArgReader {
  private segment = 0;
  private pos = 0;
  private depth = 0;
  private args = 0;

  /** RFC 6855 3: UTF8=ACCEPT is enabled, so mailbox names are UTF-8, not modified UTF-7. */
  utf8Names = false;

  constructor(private readonly frame: CommandFrame) {}

  private get text(): string {
    return this.frame.segments[this.segment] ?? '';
  }

  error(message: string): ImapWireError {
    return new ImapWireError('SYNTAX', message);
  }

  /** The next character, or undefined at the end of the command. */
  peek(): string | undefined {
    return this.text[this.pos];
  }

  /** Whether `text` (case-insensitive) comes next, without consuming it (one-token lookahead). */
  lookingAt(text: string): boolean {
    return this.text.slice(this.pos, this.pos + text.length).toUpperCase() === text.toUpperCase();
  }

  atEnd(): boolean {
    return this.segment >= this.frame.segments.length - 1 && this.pos >= this.text.length;
  }

  expectEnd(): void {
    if (!this.atEnd()) throw this.error('Unexpected extra arguments');
  }

  expect(char: string, what = `"${char}"`): void {
    if (this.peek() !== char) throw this.error(`Expected ${what}`);
    this.pos += 1;
  }

  /** RFC 3501 9: arguments are separated by exactly one SP. */
  space(): void {
    this.expect(' ', 'a space');
  }

  trySpace(): boolean {
    if (this.peek() !== ' ') return false;
    this.pos += 1;
    return true;
  }

  /** Consume `word` (case-insensitive) if it comes next and ends there. */
  tryWord(word: string): boolean {
    const candidate = this.text.slice(this.pos, this.pos + word.length);
    if (candidate.toUpperCase() !== word) return false;
    const after = this.text[this.pos + word.length];
    if (after !== undefined && isAtomChar(after)) return false;
    this.pos += word.length;
    return true;
  }

  /** 1* characters matching `accept`; `what` names them in the error. */
  readWhile(accept: (ch: string) => boolean, what: string): string {
    const start = this.pos;
    while (this.pos < this.text.length && accept(this.text[this.pos] as string)) this.pos += 1;
    if (this.pos === start) throw this.error(`Expected ${what}`);
    return this.text.slice(start, this.pos);
  }

  readAtom(what = 'an atom'): string {
    return this.readWhile(isAtomChar, what);
  }

  /** RFC 3501 9: number; `nonZero` for nz-number. */
  readNumber(what = 'a number', nonZero = false): number {
    const digits = this.readWhile((ch) => ch >= '0' && ch <= '9', what);
    const value = Number(digits);
    if (digits.length > 10 || value > MAX_NUMBER || (nonZero && value === 0))
      throw this.error(`Invalid ${what.replace(/^an? /, '')}`);
    return value;
  }

  /** RFC 7162 7: mod-sequence-valzer = "0" / mod-sequence-value (1*DIGIT, 63-bit). */
  readModseq(what = 'a mod-sequence'): number {
    const digits = this.readWhile((ch) => ch >= '0' && ch <= '9', what);
    const value = Number(digits);
    if (digits.length > 19 || value > MAX_MODSEQ) throw this.error(`Invalid ${what.replace(/^an? /, '')}`);
    return value;
  }

  /** RFC 3501 9: quoted = DQUOTE *QUOTED-CHAR DQUOTE, with `\"` and `\\` the only escapes. */
  readQuoted(): string {
    this.expect('"', 'a quoted string');
    let out = '';
    for (;;) {
      const ch = this.text[this.pos];
      if (ch === undefined) throw this.error('Unterminated quoted string');
      this.pos += 1;
      if (ch === '"') return out;
      if (ch === '\\') {
        const escaped = this.text[this.pos];
        if (escaped !== '"' && escaped !== '\\') throw this.error('Invalid escape in quoted string');
        out += escaped;
        this.pos += 1;
      } else if (ch === '\0') {
        // RFC 3501 9: QUOTED-CHAR is a TEXT-CHAR, and CHAR excludes NUL.
        throw this.error('NUL in quoted string');
      } else {
        out += ch;
      }
    }
  }

  /** RFC 3501 4.3 literal: the `{n}` marker must end the segment; its bytes follow it. */
  readLiteral(): Buffer {
    const literal = this.readAnyLiteral();
    // Only an APPEND message is ever spooled, and only readMessageLiteral reads one.
    if (isSpooled(literal)) throw this.error('Invalid literal');
    return literal;
  }

  /** RFC 3501 6.3.11: the APPEND message, which may be in a spool file (docs/adr/0027). */
  readMessageLiteral(): Literal {
    return this.readAnyLiteral();
  }

  private readAnyLiteral(): Literal {
    const rest = this.text.slice(this.pos);
    const match = LITERAL_MARKER.exec(rest);
    const literal = this.frame.literals[this.segment];
    if (!match || literal === undefined) throw this.error('Invalid literal');
    if (literal.length !== Number(match[1])) throw this.error('Literal size mismatch');
    this.segment += 1;
    this.pos = 0;
    return literal;
  }

  /** RFC 3501 9: string = quoted / literal. Literal bytes are read as UTF-8. */
  readString(what = 'a string'): string {
    const ch = this.peek();
    if (ch === '"') return this.readQuoted();
    if (ch === '{') return this.readLiteral().toString('utf8');
    throw this.error(`Expected ${what}`);
  }

  /** RFC 3501 9: astring = 1*ASTRING-CHAR / string. */
  readAstring(what = 'a string'): string {
    const ch = this.peek();
    if (ch === '"' || ch === '{') return this.readString(what);
    return this.readWhile(isAstringChar, what);
  }

  /** RFC 3501 9: nstring = string / nil. */
  readNstring(what = 'a string or NIL'): string | null {
    if (this.tryWord('NIL')) return null;
    return this.readString(what);
  }

  /** `(` item *(SP item) `)`; `allowEmpty` for grammars like flag-list that permit `()`. */
  readList<T>(readItem: () => T, allowEmpty = true): T[] {
    this.expect('(', 'a parenthesized list');
    this.enter();
    const items: T[] = [];
    if (this.peek() === ')') {
      if (!allowEmpty) throw this.error('Empty list');
    } else {
      do {
        this.countArg();
        items.push(readItem());
      } while (this.trySpace());
    }
    this.expect(')', '")"');
    this.leave();
    return items;
  }

  /** Nesting bound for lists and SEARCH groups (limits.ts MAX_NESTING). */
  enter(): void {
    this.depth += 1;
    if (this.depth > MAX_NESTING) throw new ImapWireError('TOO_COMPLEX', 'Too deeply nested');
  }

  leave(): void {
    this.depth -= 1;
  }

  /** Item bound per command (limits.ts MAX_ARGS). */
  countArg(): void {
    this.args += 1;
    if (this.args > MAX_ARGS) throw new ImapWireError('TOO_COMPLEX', 'Too many arguments');
  }
}
