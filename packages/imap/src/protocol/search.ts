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
  /** RFC 8514 4.2: every message of a mailbox that keeps save dates (all of ours do). */
  'SAVEDATESUPPORTED',
] as const;
export type FlagSearchKey = (typeof FLAG_SEARCH_KEYS)[number];

/** Keys taking an astring matched as a case-insensitive substring. */
export const TEXT_SEARCH_KEYS = ['BCC', 'BODY', 'CC', 'FROM', 'SUBJECT', 'TEXT', 'TO'] as const;
export type TextSearchKey = (typeof TEXT_SEARCH_KEYS)[number];

/**
 * Keys taking a date: BEFORE/ON/SINCE test the internal date, SENT* the Date: header, SAVED*
 * the save date (RFC 8514 4.2).
 */
export const DATE_SEARCH_KEYS = [
  'BEFORE',
  'ON',
  'SINCE',
  'SENTBEFORE',
  'SENTON',
  'SENTSINCE',
  'SAVEDBEFORE',
  'SAVEDON',
  'SAVEDSINCE',
] as const;
export type DateSearchKey = (typeof DATE_SEARCH_KEYS)[number];

export type SearchKey =
  | { readonly key: FlagSearchKey }
  | { readonly key: 'KEYWORD' | 'UNKEYWORD'; readonly flag: string }
  | { readonly key: TextSearchKey; readonly value: string }
  | { readonly key: 'HEADER'; readonly field: string; readonly value: string }
  | { readonly key: DateSearchKey; readonly date: ImapDay }
  | { readonly key: 'LARGER' | 'SMALLER'; readonly size: number }
  /** RFC 5032 WITHIN: internal date at least / at most `seconds` before the command ran. */
  | { readonly key: 'OLDER' | 'YOUNGER'; readonly seconds: number }
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

/**
 * RFC 4731 3.1 result options, RFC 5182 2 SAVE, and RFC 5267 4 CONTEXT, UPDATE and PARTIAL
 * (PARTIAL's range is in `partial`, beside the list).
 */
export const SEARCH_RETURN_OPTIONS = [
  'MIN',
  'MAX',
  'ALL',
  'COUNT',
  'SAVE',
  'CONTEXT',
  'UPDATE',
  'PARTIAL',
] as const;
export type SearchReturnOption = (typeof SEARCH_RETURN_OPTIONS)[number];

/** RFC 5267 4.4: partial-range = nz-number ":" nz-number, low <= high (500:400 is 400:500). */
export interface PartialRange {
  readonly low: number;
  readonly high: number;
}

/** What `RETURN (...)` asked for. */
export interface ReturnSpec {
  readonly options: readonly SearchReturnOption[];
  readonly partial: PartialRange | null;
}

export interface SearchArgs {
  /**
   * RFC 4731 3.1: the RETURN options, upper-cased and unique; null without RETURN (then the
   * answer is RFC 3501's `* SEARCH`). `RETURN ()` means `RETURN (ALL)` and is given as ['ALL'].
   */
  readonly returnOptions: readonly SearchReturnOption[] | null;
  /** RFC 5267 4.4: the range of `RETURN (PARTIAL low:high)`, else null. */
  readonly partial: PartialRange | null;
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
  ...['OLDER', 'YOUNGER'],
]);

export interface SearchParseOptions {
  allowSavedResult: boolean;
}

/**
 * RFC 3501 9: search = "SEARCH" [SP "CHARSET" SP astring] 1*(SP search-key), with RFC 4731 3.1's
 * `[search-return-opts]` before the program. A failure after `RETURN (... SAVE ...)` is marked
 * so that the session empties the saved result (RFC 5182 2.1).
 */
export function readSearchArgs(reader: ArgReader, options: SearchParseOptions): SearchArgs {
  const spec = reader.tryWord('RETURN') ? readReturnSpec(reader) : null;
  try {
    return readSearchProgram(reader, options, spec);
  } catch (error) {
    if (error instanceof ImapWireError && spec?.options.includes('SAVE') === true)
      throw error.resettingSavedResult();
    throw error;
  }
}

/** RFC 4731 3.1: search-return-opts = SP "RETURN" SP "(" [search-return-opt *(SP search-return-opt)] ")". */
export function readReturnOptions(reader: ArgReader): SearchReturnOption[] {
  return [...readReturnSpec(reader).options];
}

/**
 * `RETURN (...)` with RFC 5267 4's additions: `PARTIAL low:high` (once, never with ALL, 4.4),
 * CONTEXT (a hint we need not act on, 4.2) and UPDATE (4.3).
 */
export function readReturnSpec(reader: ArgReader): ReturnSpec {
  reader.space();
  const found = new Set<SearchReturnOption>();
  let partial: PartialRange | null = null;
  reader.readList(() => {
    const word = reader.readAtom('a search return option').toUpperCase();
    // RFC 4731 3.1: an unknown result option is a syntax error (BAD).
    if (!(SEARCH_RETURN_OPTIONS as readonly string[]).includes(word))
      throw reader.error(`Unknown search return option ${word.slice(0, 40)}`);
    if (word === 'PARTIAL') {
      // RFC 5267 4.4: one PARTIAL at most.
      if (partial !== null) throw reader.error('PARTIAL can be given only once');
      reader.space();
      partial = readPartialRange(reader);
    }
    found.add(word as SearchReturnOption);
  }, true);
  reader.space();
  // RFC 5267 4.4: "either one PARTIAL, one ALL, or neither".
  if (found.has('PARTIAL') && found.has('ALL')) throw reader.error('PARTIAL conflicts with ALL');
  // RFC 4731 3.1: "RETURN ()" is "RETURN (ALL)"; CONTEXT alone asks for no other result either.
  if (found.size === 0 || (found.size === 1 && found.has('CONTEXT'))) found.add('ALL');
  return { options: [...found], partial };
}

/** RFC 5267 4.4: nz-number ":" nz-number, in either order, no `*`. */
function readPartialRange(reader: ArgReader): PartialRange {
  const text = reader.readWhile((ch) => /[0-9:]/.test(ch), 'a partial range');
  const match = /^([1-9][0-9]{0,9}):([1-9][0-9]{0,9})$/.exec(text);
  const first = Number(match?.[1]);
  const second = Number(match?.[2]);
  if (match === null || first > 0xffffffff || second > 0xffffffff)
    throw reader.error('Invalid partial range');
  return { low: Math.min(first, second), high: Math.max(first, second) };
}

function readSearchProgram(
  reader: ArgReader,
  options: SearchParseOptions,
  spec: ReturnSpec | null,
): SearchArgs {
  let charset: string | null = null;
  if (reader.tryWord('CHARSET')) {
    reader.space();
    charset = readCharset(reader);
    reader.space();
  }
  return {
    returnOptions: spec?.options ?? null,
    partial: spec?.partial ?? null,
    charset,
    criteria: readSearchKeys(reader, options),
  };
}

/** A CHARSET argument we decode, upper-cased (SEARCH, and SORT/THREAD where it is required). */
export function readCharset(reader: ArgReader): string {
  const charset = reader.readAstring('a charset').toUpperCase();
  if (!(SUPPORTED_CHARSETS as readonly string[]).includes(charset)) {
    // RFC 3501 6.4.4: NO [BADCHARSET] listing what we do support.
    throw new ImapWireError('BAD_CHARSET', 'Unsupported charset', {
      status: 'NO',
      responseCode: `BADCHARSET (${SUPPORTED_CHARSETS.join(' ')})`,
    });
  }
  return charset;
}

/** search-key *(SP search-key): the keys of a SEARCH, SORT or THREAD, ANDed. */
export function readSearchKeys(reader: ArgReader, options: SearchParseOptions): SearchKey[] {
  const criteria = [readSearchKey(reader, options)];
  while (reader.trySpace()) criteria.push(readSearchKey(reader, options));
  return criteria;
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
    case 'OLDER':
    case 'YOUNGER':
      // RFC 5032 4: interval = 1*DIGIT, a number of seconds; RFC 5032 3 makes 0 a BAD.
      return { key: word, seconds: reader.readNumber('an interval in seconds', true) };
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
