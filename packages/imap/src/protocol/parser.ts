/**
 * `parseCommand(frame)`: one assembled command -> `{ tag, name, uid, args }` (RFC 3501 9 formal
 * syntax plus the extensions we advertise). Each command's grammar is one entry of COMMAND_PARSERS.
 * Failures throw ImapWireError carrying the tag (null if unreadable) and a message for the BAD line.
 */
import { readFlag, readFlagList, readListMailbox, readMailbox, readSequence } from './args.js';
import { readAppendArgs } from './append-args.js';
import {
  LIST_RETURN_OPTIONS,
  LIST_SELECT_OPTIONS,
  SELECT_PARAMS,
  STATUS_ITEMS,
  UID_COMMANDS,
  type CommandArgs,
  type CommandName,
  type ImapCommand,
  type ListReturnOption,
  type ListSelectOption,
  type NoArgs,
  type QresyncParams,
  type SelectArgs,
  type StatusItem,
  type StoreOperation,
} from './commands.js';
import { readCreateArgs } from './create-args.js';
import { ImapWireError } from './errors.js';
import { readFetchItems } from './fetch-items.js';
import { readNotifyArgs } from './notify-args.js';
import type { CommandFrame } from './frame.js';
import { MAX_ID_FIELD_LENGTH, MAX_ID_PAIRS, MAX_ID_VALUE_LENGTH } from './limits.js';
import { ArgReader } from './reader.js';
import { readSearchArgs } from './search.js';
import { parseSequenceSet, type SequenceSet } from './sequence-set.js';
import { readSortArgs, readThreadArgs } from './sort.js';
import { isValidTag } from './syntax.js';

export interface ParseOptions {
  /** Accept `$` as a sequence set (only when SEARCHRES, RFC 5182, is advertised). */
  allowSavedResult?: boolean;
  /** RFC 6855 3: UTF8=ACCEPT is enabled: mailbox names are read as UTF-8. */
  utf8?: boolean;
}

interface ParseContext {
  readonly reader: ArgReader;
  readonly uid: boolean;
  readonly allowSavedResult: boolean;
}

type ArgParser<N extends CommandName> = (context: ParseContext) => CommandArgs[N];

const noArgs = (): NoArgs => ({});

/** One grammar per command; each reads what follows `tag SP name` and leaves the reader at the end. */
const COMMAND_PARSERS: { readonly [N in CommandName]: ArgParser<N> } = {
  CAPABILITY: noArgs,
  NOOP: noArgs,
  LOGOUT: noArgs,
  STARTTLS: noArgs,
  NAMESPACE: noArgs,
  CHECK: noArgs,
  CLOSE: noArgs,
  UNSELECT: noArgs,
  IDLE: noArgs,
  ID: ({ reader }) => ({ params: readIdParams(reader) }),
  ENABLE: ({ reader }) => {
    // RFC 5161 3: "ENABLE" 1*(SP capability).
    const capabilities: string[] = [];
    do {
      reader.space();
      reader.countArg();
      capabilities.push(reader.readAtom('a capability').toUpperCase());
    } while (!reader.atEnd());
    return { capabilities };
  },
  LOGIN: ({ reader }) => {
    reader.space();
    const username = reader.readAstring('a user name');
    reader.space();
    return { username, password: reader.readAstring('a password') };
  },
  AUTHENTICATE: ({ reader }) => {
    reader.space();
    const mechanism = reader.readAtom('a SASL mechanism').toUpperCase();
    if (!reader.trySpace()) return { mechanism, initialResponse: null };
    // RFC 4959 3: initial-response = base64 / "=" (empty response).
    const response = reader.readWhile((ch) => /[A-Za-z0-9+/=]/.test(ch), 'a base64 initial response');
    if (response === '=') return { mechanism, initialResponse: '' };
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(response) || response.length % 4 !== 0) {
      throw reader.error('Invalid base64 initial response');
    }
    return { mechanism, initialResponse: response };
  },
  SELECT: selectArgs,
  EXAMINE: selectArgs,
  CREATE: ({ reader }) => readCreateArgs(reader),
  DELETE: mailboxOnly,
  SUBSCRIBE: mailboxOnly,
  GETQUOTA: ({ reader }) => {
    reader.space();
    return { root: reader.readAstring('a quota root') };
  },
  GETQUOTAROOT: mailboxOnly,
  UNSUBSCRIBE: mailboxOnly,
  RENAME: ({ reader }) => {
    reader.space();
    const from = readMailbox(reader);
    reader.space();
    return { from, to: readMailbox(reader) };
  },
  LIST: ({ reader }) => readListArgs(reader),
  LSUB: ({ reader }) => {
    reader.space();
    const reference = readListMailbox(reader);
    reader.space();
    return { reference, pattern: readListMailbox(reader) };
  },
  STATUS: ({ reader }) => {
    reader.space();
    const mailbox = readMailbox(reader);
    reader.space();
    return { mailbox, items: readStatusItems(reader) };
  },
  APPEND: ({ reader }) => readAppendArgs(reader),
  EXPUNGE: ({ reader, uid, allowSavedResult }) => {
    if (!uid) return { sequence: null };
    // RFC 4315 2.1: "UID EXPUNGE" SP sequence-set.
    reader.space();
    return { sequence: readSequence(reader, allowSavedResult) };
  },
  SEARCH: ({ reader, allowSavedResult }) => {
    reader.space();
    return readSearchArgs(reader, { allowSavedResult });
  },
  SORT: ({ reader, allowSavedResult }) => readSortArgs(reader, { allowSavedResult }),
  THREAD: ({ reader, allowSavedResult }) => readThreadArgs(reader, { allowSavedResult }),
  CANCELUPDATE: ({ reader }) => {
    // RFC 5267 5: "CANCELUPDATE" 1*(SP quoted).
    const tags: string[] = [];
    do {
      reader.space();
      if (reader.peek() !== '"') throw reader.error('Expected a quoted tag');
      tags.push(reader.readQuoted());
    } while (!reader.atEnd());
    return { tags };
  },
  FETCH: ({ reader, uid, allowSavedResult }) => {
    reader.space();
    const sequence = readSequence(reader, allowSavedResult);
    reader.space();
    const items = readFetchItems(reader);
    // RFC 4466 2.4 / RFC 7162 3.1.4.1: fetch = ... [SP "(" fetch-modifier *(SP fetch-modifier) ")"].
    if (!reader.trySpace()) return { sequence, items, changedSince: null, vanished: false };
    return { sequence, items, ...readFetchModifiers(reader, uid) };
  },
  STORE: ({ reader, allowSavedResult }) => readStoreArgs(reader, allowSavedResult),
  COPY: copyOrMove,
  MOVE: copyOrMove,
  COMPRESS: ({ reader }) => {
    // RFC 4978 4: compress = "COMPRESS" SP algorithm.
    reader.space();
    return { mechanism: reader.readAtom('a compression mechanism').toUpperCase() };
  },
  NOTIFY: ({ reader }) => readNotifyArgs(reader),
};

/** RFC 3501 9: "(" status-att *(SP status-att) ")" (also RFC 5819's STATUS return option). */
function readStatusItems(reader: ArgReader): StatusItem[] {
  return reader.readList(() => oneOf(reader, STATUS_ITEMS, 'status item'), false);
}

export function parseCommand(frame: CommandFrame, options: ParseOptions = {}): ImapCommand {
  const reader = new ArgReader(frame);
  reader.utf8Names = options.utf8 ?? false;
  const tag = readTag(reader);
  try {
    reader.space();
    let name = reader.readAtom('a command name').toUpperCase();
    let uid = false;
    if (name === 'UID') {
      uid = true;
      reader.space();
      name = reader.readAtom('a command name after UID').toUpperCase();
    }
    if (!isCommandName(name))
      throw new ImapWireError('UNKNOWN_COMMAND', `Unknown command ${name.slice(0, 40)}`);
    if (uid && !UID_COMMANDS.has(name))
      throw new ImapWireError('UNKNOWN_COMMAND', `UID ${name} is not a command`);
    const args = COMMAND_PARSERS[name]({ reader, uid, allowSavedResult: options.allowSavedResult ?? false });
    reader.expectEnd();
    return { tag, name, uid, args } as ImapCommand;
  } catch (error) {
    if (error instanceof ImapWireError) throw error.withTag(tag);
    throw error;
  }
}

function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(COMMAND_PARSERS, name);
}

/** RFC 3501 9: tag = 1*<any ASTRING-CHAR except "+">. */
function readTag(reader: ArgReader): string {
  const tag = reader.readWhile((ch) => ch !== ' ', 'a tag');
  if (!isValidTag(tag)) throw new ImapWireError('BAD_TAG', 'Invalid tag');
  return tag;
}

function mailboxOnly({ reader }: ParseContext): { mailbox: string } {
  reader.space();
  return { mailbox: readMailbox(reader) };
}

/**
 * RFC 4466 2.1 / RFC 7162 3.1.8, 3.2.5: select = "SELECT" SP mailbox [SP "(" select-param
 * *(SP select-param) ")"], select-param = "CONDSTORE" / "QRESYNC" SP "(" ... ")".
 */
function selectArgs({ reader }: ParseContext): SelectArgs {
  reader.space();
  const mailbox = readMailbox(reader);
  const args: SelectArgs = { mailbox, condstore: false, qresync: null };
  if (!reader.trySpace()) return args;
  const seen = new Set<string>();
  reader.readList(() => {
    const name = oneOf(reader, SELECT_PARAMS, 'SELECT parameter');
    if (seen.has(name)) throw reader.error(`Duplicate SELECT parameter ${name}`);
    seen.add(name);
    if (name === 'CONDSTORE') {
      args.condstore = true;
    } else {
      reader.space();
      args.qresync = readQresyncParams(reader);
    }
  }, false);
  return args;
}

/**
 * RFC 7162 7: "QRESYNC" SP "(" uidvalidity SP mod-sequence-value [SP known-uids]
 * [SP seq-match-data] ")", seq-match-data = "(" known-sequence-set SP known-uid-set ")".
 */
function readQresyncParams(reader: ArgReader): QresyncParams {
  reader.expect('(', '"("');
  reader.enter();
  const uidValidity = reader.readNumber('a UIDVALIDITY', true);
  reader.space();
  const modseq = reader.readModseq();
  // mod-sequence-value: a positive number (0 is only for mod-sequence-valzer).
  if (modseq === 0) throw reader.error('Invalid mod-sequence 0');
  const params: QresyncParams = { uidValidity, modseq, knownUids: null, seqMatch: null };
  if (reader.trySpace() && reader.peek() !== '(') {
    params.knownUids = readSetWithoutStar(reader, 'known-uids');
    if (!reader.trySpace()) {
      reader.expect(')', '")"');
      reader.leave();
      return params;
    }
  }
  if (reader.peek() === '(') {
    reader.expect('(');
    const sequences = readSetWithoutStar(reader, 'known-sequence-set');
    reader.space();
    const uids = readSetWithoutStar(reader, 'known-uid-set');
    reader.expect(')', '")"');
    if (setSize(sequences) !== setSize(uids))
      throw reader.error('known-sequence-set and known-uid-set differ in size');
    params.seqMatch = { sequences, uids };
  }
  reader.expect(')', '")"');
  reader.leave();
  return params;
}

/** RFC 7162 7: known-uids and the seq-match sets are sequence-sets where `*` is not allowed. */
function readSetWithoutStar(reader: ArgReader, what: string): SequenceSet {
  const text = reader.readWhile((ch) => /[0-9:,*]/.test(ch), `a ${what}`);
  if (text.includes('*')) throw reader.error(`${what} may not contain *`);
  return parseSequenceSet(text) as SequenceSet;
}

/** How many numbers a set without `*` names (ranges counted, never expanded). */
function setSize(set: SequenceSet): number {
  return set.reduce((sum, { start, end }) => sum + Math.abs(Number(end) - Number(start)) + 1, 0);
}

/** RFC 7162 3.1.4.1 CHANGEDSINCE and 3.2.6 VANISHED (UID FETCH only, and only with CHANGEDSINCE). */
function readFetchModifiers(
  reader: ArgReader,
  uid: boolean,
): { changedSince: number | null; vanished: boolean } {
  let changedSince: number | null = null;
  let vanished = false;
  const seen = new Set<string>();
  reader.readList(() => {
    const name = oneOf(reader, ['CHANGEDSINCE', 'VANISHED'], 'FETCH modifier');
    if (seen.has(name)) throw reader.error(`Duplicate modifier ${name}`);
    seen.add(name);
    if (name === 'VANISHED') {
      vanished = true;
    } else {
      reader.space();
      changedSince = reader.readModseq();
    }
  }, false);
  if (vanished && !uid) throw reader.error('VANISHED is only allowed with UID FETCH');
  if (vanished && changedSince === null) throw reader.error('VANISHED needs CHANGEDSINCE');
  return { changedSince, vanished };
}

/**
 * `"(" name SP mod-sequence *(SP name SP mod-sequence) ")"`: the FETCH and STORE modifiers of
 * RFC 4466 2.4/2.5 that we know (RFC 7162 CHANGEDSINCE, UNCHANGEDSINCE). Each may appear once.
 */
function readModifiers(reader: ArgReader, allowed: readonly string[]): Map<string, number> {
  const modifiers = new Map<string, number>();
  reader.readList(() => {
    const name = oneOf(reader, allowed, 'modifier');
    if (modifiers.has(name)) throw reader.error(`Duplicate modifier ${name}`);
    reader.space();
    modifiers.set(name, reader.readModseq());
  }, false);
  return modifiers;
}

function copyOrMove({ reader, allowSavedResult }: ParseContext): {
  sequence: CommandArgs['COPY']['sequence'];
  mailbox: string;
} {
  reader.space();
  const sequence = readSequence(reader, allowSavedResult);
  reader.space();
  return { sequence, mailbox: readMailbox(reader) };
}

/** An atom that must be one of `allowed` (case-insensitive); returned upper-cased. */
function oneOf<T extends string>(reader: ArgReader, allowed: readonly T[], what: string): T {
  const word = reader.readAtom(`a ${what}`).toUpperCase();
  if (!(allowed as readonly string[]).includes(word))
    throw reader.error(`Unknown ${what} ${word.slice(0, 40)}`);
  return word as T;
}

/**
 * RFC 5258 6: list = "LIST" [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]
 * mbox-or-pat = list-mailbox / "(" list-mailbox *(SP list-mailbox) ")".
 */
function readListArgs(reader: ArgReader): CommandArgs['LIST'] {
  reader.space();
  let selectOptions: ListSelectOption[] = [];
  let extended = false;
  if (reader.peek() === '(') {
    extended = true;
    selectOptions = reader.readList(() => oneOf(reader, LIST_SELECT_OPTIONS, 'LIST selection option'));
    // RFC 5258 3.1: RECURSIVEMATCH alone is a syntax error.
    if (
      selectOptions.includes('RECURSIVEMATCH') &&
      selectOptions.every((o) => o === 'RECURSIVEMATCH' || o === 'REMOTE')
    ) {
      throw reader.error('RECURSIVEMATCH needs another selection option');
    }
    reader.space();
  }
  const reference = readListMailbox(reader);
  reader.space();
  let patterns: string[];
  if (reader.peek() === '(') {
    extended = true;
    patterns = reader.readList(() => readListMailbox(reader), false);
  } else {
    patterns = [readListMailbox(reader)];
  }
  let returnOptions: ListReturnOption[] = [];
  let statusItems: StatusItem[] | null = null;
  if (reader.trySpace()) {
    if (!reader.tryWord('RETURN')) throw reader.error('Expected RETURN');
    extended = true;
    reader.space();
    returnOptions = reader
      .readList(() => {
        // RFC 5819 5: return-option =/ "STATUS" SP "(" status-att *(SP status-att) ")".
        if (reader.tryWord('STATUS')) {
          if (statusItems !== null) throw reader.error('Duplicate LIST return option STATUS');
          reader.space();
          statusItems = readStatusItems(reader);
          return null;
        }
        return oneOf(reader, LIST_RETURN_OPTIONS, 'LIST return option');
      })
      .filter((option): option is ListReturnOption => option !== null);
  }
  return { reference, patterns, selectOptions, returnOptions, statusItems, extended };
}

/**
 * RFC 3501 9: store = "STORE" SP sequence-set SP store-att-flags
 * store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP (flag-list / (flag *(SP flag))),
 * with RFC 4466 2.5 store-modifiers between the set and the item.
 */
function readStoreArgs(reader: ArgReader, allowSavedResult: boolean): CommandArgs['STORE'] {
  reader.space();
  const sequence = readSequence(reader, allowSavedResult);
  reader.space();
  let unchangedSince: number | null = null;
  if (reader.peek() === '(') {
    // RFC 4466 2.5 / RFC 7162 3.1.3: store-modifiers before the item.
    unchangedSince = readModifiers(reader, ['UNCHANGEDSINCE']).get('UNCHANGEDSINCE') ?? null;
    reader.space();
  }
  const item = reader.readAtom('FLAGS, +FLAGS or -FLAGS').toUpperCase();
  const match = /^([+-]?)FLAGS(\.SILENT)?$/.exec(item);
  if (!match) throw reader.error(`Invalid store item ${item.slice(0, 40)}`);
  const operation: StoreOperation = match[1] === '+' ? 'add' : match[1] === '-' ? 'remove' : 'replace';
  reader.space();
  let flags: string[];
  if (reader.peek() === '(') {
    flags = readFlagList(reader);
  } else {
    flags = [readFlag(reader)];
    while (reader.trySpace()) {
      reader.countArg();
      flags.push(readFlag(reader));
    }
  }
  return { sequence, operation, silent: match[2] !== undefined, flags, unchangedSince };
}

/** RFC 2971 3.3: id-params-list = "(" *(string SP nstring) ")" / nil, with size bounds. */
function readIdParams(reader: ArgReader): Map<string, string | null> | null {
  reader.space();
  if (reader.tryWord('NIL')) return null;
  const params = new Map<string, string | null>();
  reader.readList(() => {
    const field = reader.readString('an ID field');
    reader.space();
    const value = reader.readNstring('an ID value');
    if (params.size >= MAX_ID_PAIRS) throw reader.error('Too many ID fields');
    if (field.length > MAX_ID_FIELD_LENGTH) throw reader.error('ID field name too long');
    if (value !== null && value.length > MAX_ID_VALUE_LENGTH) throw reader.error('ID value too long');
    params.set(field, value);
  });
  return params;
}
