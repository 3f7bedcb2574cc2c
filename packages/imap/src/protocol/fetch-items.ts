/**
 * FETCH data items (RFC 3501 6.4.5, formal syntax `fetch-att`, `section`): parsing the request
 * and naming the item in the response (`BODY[1.HEADER]<0>`).
 */
import type { SectionText } from '@minimail/mime';
import { serializeValue } from './compiler.js';
import type { ArgReader } from './reader.js';
import { isAtom } from './syntax.js';

/** RFC 3501 9: section-msgtext / section-text; the same names @minimail/mime extracts. */
export type SectionSpecifier = SectionText;

export interface BodySection {
  /** section-part: `1.2.3` as [1, 2, 3]; empty for the whole message. */
  readonly part: readonly number[];
  readonly specifier: SectionSpecifier | null;
  /** Header names of HEADER.FIELDS(.NOT), upper-cased; empty otherwise. */
  readonly fields: readonly string[];
}

export interface FetchPartial {
  readonly offset: number;
  readonly length: number;
}

/** Items whose response carries no section. */
export const SIMPLE_FETCH_ITEMS = [
  'FLAGS',
  'UID',
  'INTERNALDATE',
  'RFC822.SIZE',
  'ENVELOPE',
  'BODYSTRUCTURE',
  /** Non-extensible BODYSTRUCTURE. */
  'BODY',
  /** Same as BODY[] but sets \Seen. */
  'RFC822',
  /** Same as BODY.PEEK[HEADER]. */
  'RFC822.HEADER',
  /** Same as BODY[TEXT]. */
  'RFC822.TEXT',
  /** RFC 7162 3.1.4.2: the message's mod-sequence. */
  'MODSEQ',
  /** RFC 8474 5.1: the message content's immutable id. */
  'EMAILID',
  /** RFC 8474 5.2: the thread's id (from the thread root's Message-ID, object-id.ts). */
  'THREADID',
  /** RFC 8514 4.1: when the message was saved into this mailbox. */
  'SAVEDATE',
] as const;
export type SimpleFetchItemName = (typeof SIMPLE_FETCH_ITEMS)[number];

export type FetchItem =
  | { readonly kind: SimpleFetchItemName }
  /** BODY[section]<partial> or BODY.PEEK[...] (peek: do not set \Seen). */
  | {
      readonly kind: 'BODY[]';
      readonly peek: boolean;
      readonly section: BodySection;
      readonly partial: FetchPartial | null;
    }
  /** RFC 3516 4.2 BINARY[section-binary]<partial> / BINARY.PEEK: the part decoded from its CTE. */
  | {
      readonly kind: 'BINARY[]';
      readonly peek: boolean;
      readonly part: readonly number[];
      readonly partial: FetchPartial | null;
    }
  /** RFC 3516 4.2 BINARY.SIZE[section-binary]: the decoded part's size. */
  | { readonly kind: 'BINARY.SIZE'; readonly part: readonly number[] }
  /**
   * RFC 8970 3: PREVIEW, with the LAZY modifier (NIL allowed when not readily available).
   * `fuzzy` marks the forms of the drafts RFC 8970 grew from, answered as Dovecot answers them,
   * `NAME (FUZZY "text")`: `SNIPPET (FUZZY)` (SNIPPET=FUZZY) and `PREVIEW (FUZZY)` (PREVIEW=FUZZY);
   * absent for RFC 8970's own form.
   */
  | { readonly kind: 'PREVIEW'; readonly lazy: boolean; readonly fuzzy?: 'PREVIEW' | 'SNIPPET' };

/** RFC 3501 6.4.5: the macros, which stand alone (never inside a list). */
const MACROS: Readonly<Record<string, readonly SimpleFetchItemName[]>> = {
  ALL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE'],
  FAST: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE'],
  FULL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY'],
};

const SIMPLE_SET: ReadonlySet<string> = new Set(SIMPLE_FETCH_ITEMS);

/** Item names run up to a space, a parenthesis or the section bracket. */
function isItemNameChar(ch: string): boolean {
  return ch !== ' ' && ch !== '(' && ch !== ')' && ch !== '[' && ch !== '<';
}

/** RFC 3501 9: ("ALL" / "FULL" / "FAST" / fetch-att / "(" fetch-att *(SP fetch-att) ")"). */
export function readFetchItems(reader: ArgReader): FetchItem[] {
  if (reader.peek() === '(') return reader.readList(() => readFetchItem(reader), false);
  for (const [name, items] of Object.entries(MACROS)) {
    if (reader.tryWord(name)) return items.map((kind) => ({ kind }));
  }
  return [readFetchItem(reader)];
}

function readFetchItem(reader: ArgReader): FetchItem {
  const name = reader.readWhile(isItemNameChar, 'a fetch item').toUpperCase();
  if ((name === 'BODY' || name === 'BODY.PEEK') && reader.peek() === '[') {
    const section = readSection(reader);
    const partial = reader.peek() === '<' ? readPartial(reader) : null;
    return { kind: 'BODY[]', peek: name === 'BODY.PEEK', section, partial };
  }
  if ((name === 'BINARY' || name === 'BINARY.PEEK') && reader.peek() === '[') {
    const part = readBinarySection(reader);
    const partial = reader.peek() === '<' ? readPartial(reader) : null;
    return { kind: 'BINARY[]', peek: name === 'BINARY.PEEK', part, partial };
  }
  if (name === 'BINARY.SIZE' && reader.peek() === '[')
    return { kind: 'BINARY.SIZE', part: readBinarySection(reader) };
  if ((name === 'PREVIEW' || name === 'SNIPPET') && reader.peek() !== '[' && reader.peek() !== '<') {
    const { lazy, fuzzy } = readPreviewModifiers(reader);
    // SNIPPET is only ever the draft's item; PREVIEW is RFC 8970's unless FUZZY was named.
    if (name === 'SNIPPET') return { kind: 'PREVIEW', lazy, fuzzy: 'SNIPPET' };
    return fuzzy ? { kind: 'PREVIEW', lazy, fuzzy: 'PREVIEW' } : { kind: 'PREVIEW', lazy };
  }
  if (SIMPLE_SET.has(name) && reader.peek() !== '[' && reader.peek() !== '<') {
    return { kind: name as SimpleFetchItemName };
  }
  throw reader.error(`Unknown fetch item ${name.slice(0, 40)}`);
}

/** RFC 3501 9: section = "[" [section-spec] "]". */
function readSection(reader: ArgReader): BodySection {
  reader.expect('[');
  if (reader.peek() === ']') {
    reader.expect(']');
    return { part: [], specifier: null, fields: [] };
  }
  const part: number[] = [];
  let afterDot = false;
  while (isDigit(reader.peek())) {
    reader.countArg();
    part.push(reader.readNumber('a section part', true));
    afterDot = reader.peek() === '.';
    if (!afterDot) break;
    reader.expect('.');
  }
  let specifier: SectionSpecifier | null = null;
  let fields: string[] = [];
  if (reader.peek() !== ']') {
    const word = reader.readWhile((ch) => /[A-Za-z.]/.test(ch), 'a section specifier').toUpperCase();
    specifier = toSpecifier(reader, word, part.length > 0);
    if (specifier === 'HEADER.FIELDS' || specifier === 'HEADER.FIELDS.NOT') {
      reader.space();
      // RFC 3501 9: header-list = "(" header-fld-name *(SP header-fld-name) ")".
      fields = reader.readList(() => reader.readAstring('a header field name').toUpperCase(), false);
    }
  } else if (afterDot) {
    throw reader.error('Invalid section');
  }
  reader.expect(']', '"]"');
  return { part, specifier, fields };
}

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}

function toSpecifier(reader: ArgReader, word: string, hasPart: boolean): SectionSpecifier {
  switch (word) {
    case 'HEADER':
    case 'HEADER.FIELDS':
    case 'HEADER.FIELDS.NOT':
    case 'TEXT':
      return word;
    case 'MIME':
      // RFC 3501 9: "MIME" only follows a section-part.
      if (hasPart) return word;
      break;
    default:
      break;
  }
  throw reader.error(`Invalid section ${word.slice(0, 40)}`);
}

/** RFC 3516 6: section-binary = "[" [section-part] "]" (no HEADER, TEXT or MIME). */
function readBinarySection(reader: ArgReader): number[] {
  reader.expect('[');
  const part: number[] = [];
  while (reader.peek() !== ']') {
    if (part.length > 0) reader.expect('.', '"." or "]"');
    reader.countArg();
    part.push(reader.readNumber('a section part', true));
  }
  reader.expect(']', '"]" (BINARY sections are part numbers only)');
  return part;
}

/**
 * RFC 8970 6: "PREVIEW" [SP "(" preview-mod *(SP preview-mod) ")"], preview-mod = "LAZY"; the
 * drafts before it (and Dovecot's SNIPPET) also take the algorithm FUZZY and `LAZY=FUZZY`. A list
 * after PREVIEW or SNIPPET is read as its modifiers only when it starts with LAZY or FUZZY:
 * `FETCH 1 PREVIEW (CHANGEDSINCE 5)` keeps its fetch modifiers (RFC 4466 2.4).
 */
function readPreviewModifiers(reader: ArgReader): { lazy: boolean; fuzzy: boolean } {
  const found = { lazy: false, fuzzy: false };
  if (!reader.lookingAt(' (LAZY') && !reader.lookingAt(' (FUZZY')) return found;
  reader.space();
  reader.readList(() => {
    const modifier = reader.readAtom('a PREVIEW modifier').toUpperCase();
    if (modifier === 'LAZY') found.lazy = true;
    else if (modifier === 'FUZZY') found.fuzzy = true;
    else if (modifier === 'LAZY=FUZZY') {
      found.lazy = true;
      found.fuzzy = true;
    } else throw reader.error('Unknown PREVIEW modifier');
  }, false);
  return found;
}

/** RFC 3501 9: "<" number "." nz-number ">". */
function readPartial(reader: ArgReader): FetchPartial {
  reader.expect('<');
  const offset = reader.readNumber('a partial offset');
  reader.expect('.', '"." in partial');
  const length = reader.readNumber('a partial length', true);
  reader.expect('>', '">"');
  return { offset, length };
}

/** `1.2.HEADER.FIELDS (FROM TO)` - the text between the brackets, for the response. */
export function formatSection(section: BodySection): string {
  const parts: string[] = section.part.map(String);
  if (section.specifier !== null) parts.push(section.specifier);
  const base = parts.join('.');
  if (section.fields.length === 0) return base;
  // Field names were astrings; echo one that is not an atom as a quoted string.
  const fields = section.fields.map((field) =>
    isAtom(field) ? field : serializeValue(field).toString('utf8'),
  );
  return `${base} (${fields.join(' ')})`;
}

/**
 * The item name in the FETCH response (RFC 3501 7.4.2): BODY.PEEK answers as BODY, and a partial
 * answers with its origin only, `BODY[]<0>`.
 */
export function fetchItemResponseName(item: FetchItem): string {
  switch (item.kind) {
    case 'BODY[]': {
      const origin = item.partial === null ? '' : `<${item.partial.offset}>`;
      return `BODY[${formatSection(item.section)}]${origin}`;
    }
    case 'BINARY[]': {
      // RFC 3516 4.2: BINARY.PEEK answers as BINARY, a partial with its origin.
      const origin = item.partial === null ? '' : `<${item.partial.offset}>`;
      return `BINARY[${item.part.join('.')}]${origin}`;
    }
    case 'BINARY.SIZE':
      return `BINARY.SIZE[${item.part.join('.')}]`;
    default:
      return item.kind;
  }
}
