/**
 * The IMAP wire format as pure code: bytes -> commands (CommandAssembler, parseCommand) and
 * values -> response bytes (compiler). No sockets, no store.
 */
export * from './limits.js';
export {
  ImapWireError,
  type ImapWireErrorCode,
  type ImapWireErrorOptions,
  type ImapStatus,
} from './errors.js';
export { errorResponse } from './error-response.js';
export {
  type CommandFrame,
  type Literal,
  type SpooledLiteral,
  isSpooled,
  lineFrame,
  describeFrame,
  isIdleDone,
} from './frame.js';
export {
  CommandAssembler,
  findLiteralMarker,
  type AssemblerEvent,
  type CommandAssemblerOptions,
} from './assembler.js';
export { parseCommand, type ParseOptions } from './parser.js';
export {
  SELECT_PARAMS,
  STATUS_ITEMS,
  LIST_SELECT_OPTIONS,
  LIST_RETURN_OPTIONS,
  UID_COMMANDS,
  type CommandArgs,
  type CommandName,
  type ImapCommand,
  type NoArgs,
  type StatusItem,
  type ListSelectOption,
  type ListReturnOption,
  type StoreOperation,
} from './commands.js';
export {
  SIMPLE_FETCH_ITEMS,
  formatSection,
  fetchItemResponseName,
  type FetchItem,
  type BodySection,
  type SectionSpecifier,
  type FetchPartial,
  type SimpleFetchItemName,
} from './fetch-items.js';
export {
  FLAG_SEARCH_KEYS,
  TEXT_SEARCH_KEYS,
  DATE_SEARCH_KEYS,
  SUPPORTED_CHARSETS,
  type SearchKey,
  type SearchArgs,
  type FlagSearchKey,
  type TextSearchKey,
  type DateSearchKey,
} from './search.js';
export { INBOX, normalizeMailboxName } from './args.js';
export {
  atom,
  serializeValue,
  untagged,
  untaggedStatus,
  tagged,
  continuation,
  fetchResponse,
  responseCode,
  type ImapValue,
  type ImapAtom,
  type ResponseValue,
  type ResponseStatus,
  type UntaggedStatus,
} from './compiler.js';
export { encodeMailboxName, decodeMailboxName } from './mutf7.js';
export {
  SAVED_RESULT,
  parseSequenceSet,
  expandSequenceSet,
  filterBySequenceSet,
  sequenceSetContains,
  formatSequenceSet,
  type SequenceSet,
  type SequenceArg,
  type SeqRange,
  type SeqBound,
  type ParseSequenceSetOptions,
} from './sequence-set.js';
export {
  parseDateTime,
  parseDate,
  formatDateTime,
  formatDate,
  dayOf,
  compareDays,
  type ImapDay,
} from './imap-date.js';
export { isAtom, isValidTag } from './syntax.js';
