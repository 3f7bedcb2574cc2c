/**
 * The typed arguments of every command the parser understands, keyed by command name.
 * `ImapCommand` is the discriminated union the session switches on.
 * Mailbox names are decoded from modified UTF-7 to Unicode, and `INBOX` in any case is `INBOX`.
 */
import type { FetchItem } from './fetch-items.js';
import type { Literal } from './frame.js';
import type { SearchArgs } from './search.js';
import type { SequenceArg, SequenceSet } from './sequence-set.js';
import type { NotifyArgs } from './notify-args.js';
import type { SortArgs, ThreadArgs } from './sort.js';

export type NoArgs = Record<string, never>;

/**
 * RFC 3501 6.3.10 STATUS data items, RFC 7162 3.1.7 HIGHESTMODSEQ, RFC 8438 SIZE, and RFC 9208
 * 4.2.3/4.2.4 DELETED (with QUOTA=RES-MESSAGE) and DELETED-STORAGE (with QUOTA=RES-STORAGE).
 */
export const STATUS_ITEMS = [
  'MESSAGES',
  'RECENT',
  'UIDNEXT',
  'UIDVALIDITY',
  'UNSEEN',
  'HIGHESTMODSEQ',
  'SIZE',
  'DELETED',
  'DELETED-STORAGE',
  // RFC 8474 4: OBJECTID.
  'MAILBOXID',
] as const;
export type StatusItem = (typeof STATUS_ITEMS)[number];

/** RFC 4466 2.1 select parameters we know: RFC 7162 3.1.8 CONDSTORE and 3.2.5 QRESYNC. */
export const SELECT_PARAMS = ['CONDSTORE', 'QRESYNC'] as const;
export type SelectParam = (typeof SELECT_PARAMS)[number];

/**
 * RFC 7162 3.2.5: `QRESYNC (uidvalidity modseq [known-uids] [seq-match-data])`, what the client
 * knew when it last had the mailbox open.
 */
export interface QresyncParams {
  uidValidity: number;
  modseq: number;
  /** The UIDs the client knows (no `*`); null when absent (the server assumes 1:UIDNEXT-1). */
  knownUids: SequenceSet | null;
  /** Message numbers the client knows and the UIDs it had for them, pairwise; null when absent. */
  seqMatch: { sequences: SequenceSet; uids: SequenceSet } | null;
}

/** RFC 5258 3.1 selection options (+ RFC 6154 SPECIAL-USE). */
export const LIST_SELECT_OPTIONS = ['SUBSCRIBED', 'REMOTE', 'RECURSIVEMATCH', 'SPECIAL-USE'] as const;
export type ListSelectOption = (typeof LIST_SELECT_OPTIONS)[number];

/** RFC 5258 3.2 return options (+ RFC 6154 SPECIAL-USE); RFC 5819 STATUS is read apart (it has arguments). */
export const LIST_RETURN_OPTIONS = ['SUBSCRIBED', 'CHILDREN', 'SPECIAL-USE'] as const;
export type ListReturnOption = (typeof LIST_RETURN_OPTIONS)[number];

/** One message of an APPEND (RFC 3502 MULTIAPPEND: one or more per command). */
export interface AppendMessage {
  /** Flags as given (system flags in canonical case). */
  readonly flags: readonly string[];
  /** Null when absent. */
  readonly internalDate: Date | null;
  /** In memory, or (a large message) in a spool file (docs/adr/0027); empty when `catenate` gives its parts instead. */
  readonly message: Literal;
  /** RFC 4469 CATENATE: the parts the message is assembled from; absent for a literal message. */
  readonly catenate?: readonly CatenatePart[];
  /** RFC 3516 4.4: sent as a literal8 (`~{n}`), so it may hold NUL and binary content. */
  readonly binary: boolean;
  /** RFC 6855 4: sent as `UTF8 (~{n}...)`, a message with UTF-8 header fields. */
  readonly utf8: boolean;
}

/** RFC 4469 5 cat-part: `TEXT literal` or `URL astring` (an IMAP URL, protocol/imap-url.ts). */
export type CatenatePart =
  /** A TEXT literal, in memory or (a large one) in a spool file (docs/adr/0027). */
  | { readonly kind: 'text'; readonly data: Literal; readonly binary: boolean }
  | { readonly kind: 'url'; readonly url: string };

/** RFC 3501 6.4.6: FLAGS replaces, +FLAGS adds, -FLAGS removes. */
export type StoreOperation = 'replace' | 'add' | 'remove';

export interface CommandArgs {
  CAPABILITY: NoArgs;
  NOOP: NoArgs;
  LOGOUT: NoArgs;
  STARTTLS: NoArgs;
  NAMESPACE: NoArgs;
  CHECK: NoArgs;
  CLOSE: NoArgs;
  UNSELECT: NoArgs;
  IDLE: NoArgs;
  /** RFC 2971: null for `ID NIL`; field names as sent. */
  ID: { params: ReadonlyMap<string, string | null> | null };
  /** RFC 5161: capability names, upper-cased. */
  ENABLE: { capabilities: readonly string[] };
  LOGIN: { username: string; password: string };
  /** RFC 4959 SASL-IR: initialResponse is base64 text, '' for `=`, null when absent. */
  AUTHENTICATE: { mechanism: string; initialResponse: string | null };
  /** RFC 7162 3.1.8 / 3.2.5: the CONDSTORE and QRESYNC select parameters, when given. */
  SELECT: SelectArgs;
  EXAMINE: SelectArgs;
  /** RFC 6154 3 / RFC 4466 2.2: `specialUse` from the USE create parameter (empty when absent). */
  CREATE: { mailbox: string; specialUse: readonly string[] };
  DELETE: { mailbox: string };
  RENAME: { from: string; to: string };
  SUBSCRIBE: { mailbox: string };
  UNSUBSCRIBE: { mailbox: string };
  /** RFC 3501 6.3.8 / RFC 5258: `extended` when selection or return options or several patterns were used. */
  LIST: {
    reference: string;
    patterns: readonly string[];
    selectOptions: readonly ListSelectOption[];
    returnOptions: readonly ListReturnOption[];
    /** RFC 5819: the items of the STATUS return option, null when it was not given. */
    statusItems: readonly StatusItem[] | null;
    extended: boolean;
  };
  LSUB: { reference: string; pattern: string };
  STATUS: { mailbox: string; items: readonly StatusItem[] };
  /** RFC 9208 4.2: a quota root name (minimail has one per user, ""). */
  GETQUOTA: { root: string };
  /** RFC 9208 4.3. */
  GETQUOTAROOT: { mailbox: string };
  /** RFC 3501 6.3.11, RFC 3502 MULTIAPPEND: one or more messages, in order. */
  APPEND: { mailbox: string; messages: readonly AppendMessage[] };
  /** RFC 4978 3: the compression mechanism, upper-cased (DEFLATE is the only one). */
  COMPRESS: { mechanism: string };
  /** RFC 4315 2.1: UID EXPUNGE carries a UID set; plain EXPUNGE has null. */
  EXPUNGE: { sequence: SequenceArg | null };
  SEARCH: SearchArgs;
  /** RFC 5256 3 SORT (RFC 5957 DISPLAY keys, RFC 5267 ESORT RETURN). */
  SORT: SortArgs;
  /** RFC 5256 4 THREAD. */
  THREAD: ThreadArgs;
  /** RFC 5267 4.3.5: the tags of the searching commands whose updates stop. */
  CANCELUPDATE: { tags: readonly string[] };
  /**
   * RFC 7162 3.1.4.1: `changedSince` from the CHANGEDSINCE fetch modifier, null when absent;
   * 3.2.6: `vanished` for UID FETCH's VANISHED modifier (only with CHANGEDSINCE).
   */
  FETCH: {
    sequence: SequenceArg;
    items: readonly FetchItem[];
    changedSince: number | null;
    vanished: boolean;
  };
  /** RFC 7162 3.1.3: `unchangedSince` from the UNCHANGEDSINCE store modifier, null when absent. */
  STORE: {
    sequence: SequenceArg;
    operation: StoreOperation;
    silent: boolean;
    flags: readonly string[];
    unchangedSince: number | null;
  };
  COPY: { sequence: SequenceArg; mailbox: string };
  MOVE: { sequence: SequenceArg; mailbox: string };
  /** RFC 5465 NOTIFY SET / NOTIFY NONE (protocol/notify-args.ts). */
  NOTIFY: NotifyArgs;
}

export type CommandName = keyof CommandArgs;

export interface SelectArgs {
  mailbox: string;
  condstore: boolean;
  qresync: QresyncParams | null;
}

export type ImapCommand = {
  [N in CommandName]: {
    readonly tag: string;
    readonly name: N;
    /** True for the `UID` prefix: sequence sets are UIDs (RFC 3501 6.4.8). */
    readonly uid: boolean;
    readonly args: CommandArgs[N];
  };
}[CommandName];

/** RFC 3501 6.4.8, RFC 4315 2.1, RFC 6851 3.2: commands that accept the UID prefix. */
export const UID_COMMANDS: ReadonlySet<CommandName> = new Set<CommandName>([
  'COPY',
  'MOVE',
  'FETCH',
  'SEARCH',
  'SORT',
  'THREAD',
  'STORE',
  'EXPUNGE',
]);
