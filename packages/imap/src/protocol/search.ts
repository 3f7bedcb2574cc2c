/**
 * SEARCH criteria (RFC 3501 6.4.4, formal syntax `search-key`) parsed into a tree the session
 * evaluates against the store. A list of keys at the top level or in `( )` means AND.
 */
import { ImapWireError } from './errors.js';
import { parseDate, type ImapDay } from './imap-date.js';
import type { ArgReader } from './reader.js';
import { parseSequenceSet, type SequenceArg } from './sequence-set.js';
import { isAtomChar } from './syntax.js';

/** Keys without arguments and the flag condition each tests (RFC 3501 6.4.4). */
export const FLAG_SEARCH_KEYS = [
  'ALL',
  'ANSWERED',
  'DELETED',
  'DRAFT',
  'FLAGGED',
  /** RECENT and not SEEN. */
  'NEW',
  /** Not RECENT. */
  'OLD',
  'RECENT',
  'SEEN',
  'UNANSWERED',
  'UNDELETED',
  'UNDRAFT',
  'UNFLAGGED',
  'UNSEEN',
] as const;
export type FlagSearchKey = (typeof FLAG_SEARCH_KEYS)[number];

/** Keys taking an astring matched as a case-insensitive substring. */
export const TEXT_SEARCH_KEYS = ['BCC', 'BODY', 'CC', 'FROM', 'SUBJECT', 'TEXT', 'TO'] as const;
export type TextSearchKey = (typeof TEXT_SEARCH_KEYS)[number];

/** Keys taking a date: BEFORE/ON/SINCE test the internal date, SENT* the Date: header. */
export const DATE_SEARCH_KEYS = ['BEFORE', 'ON', 'SINCE', 'SENTBEFORE', 'SENTON', 'SENTSINCE'] as const;
export type DateSearchKey = (typeof DATE_SEARCH_KEYS)[number];

export type SearchKey =
  | { readonly key: FlagSearchKey }
  | { readonly key: 'KEYWORD' | 'UNKEYWORD'; readonly flag: string }
  | { readonly key: TextSearchKey; readonly value: string }
  | { readonly key: 'HEADER'; readonly field: string; readonly value: string }
  | { readonly key: DateSearchKey; readonly date: ImapDay }
  | { readonly key: 'LARGER' | 'SMALLER'; readonly size: number }
  | { readonly key: 'UID'; readonly set: SequenceArg }
  /** RFC 7162 3.1.5: mod-sequence at least `modseq` (any entry name given is ignored, see below). */
  | { readonly key: 'MODSEQ'; readonly modseq: number }
  /** RFC 8474 6: messages with this EMAILID / THREADID (an objectid, checked for syntax). */
  | { readonly key: 'EMAILID' | 'THREADID'; readonly id: string }
  /** A bare sequence-set: message sequence numbers. */
  | { readonly key: 'SEQUENCE'; readonly set: SequenceArg }
  | { readonly key: 'NOT'; readonly operand: SearchKey }
  | { readonly key: 'OR'; readonly left: SearchKey; readonly right: SearchKey }
  /** `( key key ... )`: all must match. */
  | { readonly key: 'AND'; readonly operands: readonly SearchKey[] };

export interface SearchArgs {
  /** Upper-cased CHARSET, or null when none was given (US-ASCII). */
  readonly charset: string | null;
  readonly criteria: readonly SearchKey[];
}

/** Charsets we decode (RFC 3501 6.4.4: US-ASCII MUST be supported). Strings arrive as UTF-8. */
export const SUPPORTED_CHARSETS = ['US-ASCII', 'UTF-8'] as const;

const FLAG_KEYS: ReadonlySet<string> = new Set(FLAG_SEARCH_KEYS);
const TEXT_KEYS: ReadonlySet<string> = new Set(TEXT_SEARCH_KEYS);
const DATE_KEYS: ReadonlySet<string> = new Set(DATE_SEARCH_KEYS);
const KEYS_WITH_ARGUMENTS: ReadonlySet<string> = new Set([
  ...TEXT_SEARCH_KEYS,
  ...DATE_SEARCH_KEYS,
  ...['KEYWORD', 'UNKEYWORD', 'HEADER', 'LARGER', 'SMALLER', 'UID', 'NOT', 'OR', 'MODSEQ'],
  ...['EMAILID', 'THREADID'],
]);

export interface SearchParseOptions {
  allowSavedResult: boolean;
}

/** RFC 3501 9: search = "SEARCH" [SP "CHARSET" SP astring] 1*(SP search-key). */
export function readSearchArgs(reader: ArgReader, options: SearchParseOptions): SearchArgs {
  let charset: string | null = null;
  if (reader.tryWord('CHARSET')) {
    reader.space();
    charset = reader.readAstring('a charset').toUpperCase();
    if (!(SUPPORTED_CHARSETS as readonly string[]).includes(charset)) {
      // RFC 3501 6.4.4: NO [BADCHARSET] listing what we do support.
      throw new ImapWireError('BAD_CHARSET', 'Unsupported charset', {
        status: 'NO',
        responseCode: `BADCHARSET (${SUPPORTED_CHARSETS.join(' ')})`,
      });
    }
    reader.space();
  }
  const criteria = [readSearchKey(reader, options)];
  while (reader.trySpace()) criteria.push(readSearchKey(reader, options));
  return { charset, criteria };
}

function readSearchKey(reader: ArgReader, options: SearchParseOptions): SearchKey {
  reader.countArg();
  const first = reader.peek();
  if (first === '(') {
    reader.expect('(');
    reader.enter();
    const operands = [readSearchKey(reader, options)];
    while (reader.trySpace()) operands.push(readSearchKey(reader, options));
    reader.expect(')', '")"');
    reader.leave();
    return { key: 'AND', operands };
  }
  if (first !== undefined && /[0-9*$]/.test(first)) {
    return { key: 'SEQUENCE', set: readSet(reader, options) };
  }
  const word = reader.readAtom('a search key').toUpperCase();
  if (FLAG_KEYS.has(word)) return { key: word as FlagSearchKey };
  if (!KEYS_WITH_ARGUMENTS.has(word)) throw reader.error(`Unknown search key ${word.slice(0, 40)}`);
  reader.space();
  if (TEXT_KEYS.has(word)) return { key: word as TextSearchKey, value: reader.readAstring() };
  if (DATE_KEYS.has(word)) return { key: word as DateSearchKey, date: readSearchDate(reader) };
  switch (word) {
    case 'KEYWORD':
    case 'UNKEYWORD':
      return { key: word, flag: reader.readAtom('a keyword') };
    case 'HEADER': {
      const field = reader.readAstring('a header field name');
      reader.space();
      return { key: 'HEADER', field, value: reader.readAstring() };
    }
    case 'LARGER':
    case 'SMALLER':
      return { key: word, size: reader.readNumber('a size') };
    case 'UID':
      return { key: 'UID', set: readSet(reader, options) };
    case 'MODSEQ':
      return { key: 'MODSEQ', modseq: readModseqCriterion(reader) };
    case 'EMAILID':
    case 'THREADID':
      // RFC 8474 7: search-key =/ "EMAILID" SP objectid / "THREADID" SP objectid.
      return { key: word, id: reader.readWhile((ch) => /[A-Za-z0-9_-]/.test(ch), 'an object id') };
    case 'NOT':
      return nested(reader, () => ({ key: 'NOT', operand: readSearchKey(reader, options) }));
    case 'OR':
      return nested(reader, () => {
        const left = readSearchKey(reader, options);
        reader.space();
        return { key: 'OR', left, right: readSearchKey(reader, options) };
      });
    default:
      throw reader.error(`Unknown search key ${word.slice(0, 40)}`);
  }
}

/**
 * RFC 7162 3.1.5: "MODSEQ" [SP entry-name SP entry-type-req] SP mod-sequence-valzer, where
 * entry-name = DQUOTE "/flags/" attr-flag DQUOTE and entry-type-req = "priv" / "shared" / "all".
 * Our store keeps one mod-sequence per message, not per flag, and RFC 7162 3.1.5 says such a
 * server MUST ignore the entry name and type; they are checked for syntax only.
 */
function readModseqCriterion(reader: ArgReader): number {
  if (reader.peek() === '"') {
    const entry = reader.readQuoted();
    if (!entry.toLowerCase().startsWith('/flags/') || entry.length === '/flags/'.length)
      throw reader.error('Invalid MODSEQ entry name');
    reader.space();
    const type = reader.readAtom('an entry type').toLowerCase();
    if (type !== 'priv' && type !== 'shared' && type !== 'all')
      throw reader.error('Invalid MODSEQ entry type');
    reader.space();
  }
  return reader.readModseq();
}

/** NOT and OR recurse; count them against MAX_NESTING like parentheses. */
function nested(reader: ArgReader, read: () => SearchKey): SearchKey {
  reader.enter();
  const key = read();
  reader.leave();
  return key;
}

function readSet(reader: ArgReader, options: SearchParseOptions): SequenceArg {
  const text = reader.readWhile((ch) => /[0-9:,*$]/.test(ch), 'a sequence set');
  return parseSequenceSet(text, { allowSaved: options.allowSavedResult });
}

/** RFC 3501 9: date = date-text / DQUOTE date-text DQUOTE. */
function readSearchDate(reader: ArgReader): ImapDay {
  const text = reader.peek() === '"' ? reader.readQuoted() : reader.readWhile(isAtomChar, 'a date');
  return parseDate(text);
}
