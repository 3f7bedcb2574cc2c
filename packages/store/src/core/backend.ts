/**
 * What a backend gives the core store (docs/adr/0002): its reads, the write table run by name,
 * maildrop locks, the change feed and its lifecycle. A backend folder is the only place that knows
 * its SQL; the rules every backend shares (delivery checks, password hashing and its timing guard,
 * lock bookkeeping, closing) live once in mail-store.ts.
 */
import type {
  Alias,
  Quota,
  AppPassword,
  ChangeListener,
  DkimKey,
  Domain,
  ExpungedSince,
  Mailbox,
  MailboxStatus,
  MessageFlagList,
  MessageSortKeyList,
  MessageSummary,
  OutboundEntry,
  RecipientResolution,
  User,
} from './types.js';
import type { ActiveSieveScript, SieveScriptInfo } from './sieve-scripts.js';
import type { WriteOpArgs, WriteOpName, WriteOpResult } from './write-ops.js';
import type { CaughtGroup, IndexedTextMatch, MessagePage, MessageQuery } from './search-types.js';
import type {
  StoredTranscript,
  TranscriptBatch,
  TranscriptChanges,
  TranscriptFilter,
  TranscriptJourneyStep,
  TranscriptStats,
  TranscriptSummary,
  TranscriptWriteResult,
} from './transcripts.js';

/** The reads a backend answers; each is what the MailStore method of the same name returns. */
export interface StoreReads {
  listDomains(): Promise<Domain[]>;
  isLocalDomain(name: string): Promise<boolean>;
  getUser(address: string): Promise<User | null>;
  listUsers(): Promise<User[]>;
  /** The user and its stored hash (null: no password), or null for no such user or a non-address. */
  passwordHash(address: string): Promise<{ user: User; hash: string | null } | null>;
  sendableAddresses(userId: number): Promise<string[]>;
  listAliases(): Promise<Alias[]>;
  resolveRecipient(address: string): Promise<RecipientResolution>;
  listMailboxes(userId: number): Promise<Mailbox[]>;
  getMailbox(userId: number, name: string): Promise<Mailbox | null>;
  getMailboxById(mailboxId: number): Promise<Mailbox | null>;
  listSubscriptions(userId: number): Promise<string[]>;
  mailboxStatus(mailboxId: number): Promise<MailboxStatus>;
  listMessages(mailboxId: number): Promise<MessageSummary[]>;
  getMessage(mailboxId: number, uid: number): Promise<MessageSummary | null>;
  getMessages(mailboxId: number, uids: readonly number[]): Promise<MessageSummary[]>;
  listMessageFlags(mailboxId: number): Promise<MessageFlagList>;
  listSortKeys(mailboxId: number): Promise<MessageSortKeyList>;
  expungedSince(mailboxId: number, modseq: number): Promise<ExpungedSince>;
  recentMark(mailboxId: number): Promise<number>;
  readBody(bodyHash: string): Promise<Buffer>;
  readStructure(bodyHash: string): Promise<string | null>;
  listOutbound(): Promise<OutboundEntry[]>;
  getDkimKey(domain: string): Promise<DkimKey | null>;
  listAppPasswords(address: string): Promise<AppPassword[]>;
  /** The user whose app password has this sha256 (hex), or null. */
  appPasswordUser(address: string, hash: string): Promise<User | null>;
  /** NOT_FOUND for an unknown user. */
  getQuota(address: string): Promise<Quota>;
  listSieveScripts(userId: number): Promise<SieveScriptInfo[]>;
  getSieveScript(userId: number, name: string): Promise<string | null>;
  allSieveScripts(userId: number): Promise<Map<string, string>>;
  activeSieveScript(userId: number): Promise<ActiveSieveScript | null>;
  searchMessages(query: MessageQuery): Promise<MessagePage>;
  catcherKeywords(mailboxIds?: readonly number[]): Promise<string[]>;
  caughtGroup(mailboxId: number, uid: number, mailboxIds?: readonly number[]): Promise<CaughtGroup | null>;
  /** Up to `limit` hashes of bodies without a search entry, after `after`, in hash order. */
  unindexedBodies(after: string, limit: number): Promise<string[]>;
  /** IMAP SEARCH BODY from the full-text index (IndexedTextStore.searchIndexedText). */
  indexedTextMatch(mailboxId: number, term: string, scope: 'body' | 'text'): Promise<IndexedTextMatch | null>;
  /** Up to `limit` distinct hashes of the mailbox's bodies without a search entry. */
  unindexedBodiesIn(mailboxId: number, limit: number): Promise<string[]>;
}

/** A maildrop lock this process holds. */
export interface HeldLock {
  userId: number;
  owner: string;
}

/**
 * The backend's side of maildrop locks. The core keeps the bookkeeping (which locks this process
 * holds, re-entry by the same owner, release at close); the backend makes the lock exclusive
 * across processes and nodes, and frees it when its holder dies.
 */
export interface LockBackend {
  /** Takes the lock for `owner` unless another live holder has it; NOT_FOUND for an unknown user. */
  lock(userId: number, owner: string): Promise<boolean>;
  unlock(held: HeldLock[]): Promise<void>;
  /** Keeps held locks alive, where the backend's locks expire (SQLite's heartbeat rows); may be a no-op. */
  heartbeat(held: HeldLock[]): Promise<void>;
}

/**
 * Recorded conversations (docs/adr/0035): written in batches off the protocol path, committed
 * without waiting for an fsync (they are diagnostics), read by every process and node.
 */
export interface TranscriptBackend {
  write(batch: TranscriptBatch): Promise<TranscriptWriteResult>;
  list(filter: TranscriptFilter, defaultLimit: number): Promise<TranscriptSummary[]>;
  get(id: string): Promise<StoredTranscript | null>;
  journey(copies: ReadonlyArray<{ mailboxId: number; uid: number }>): Promise<TranscriptJourneyStep[]>;
  stats(): Promise<TranscriptStats>;
  changes(after: number, exceptOrigin: string): Promise<TranscriptChanges>;
  /** Calls `listener` soon after any process or node wrote transcripts (it then asks `changes`). */
  watch(listener: () => void): () => void;
}

export interface StoreBackend {
  readonly reads: StoreReads;
  readonly transcripts: TranscriptBackend;
  /** Runs one named write; resolves once its transaction is durable (group commit). */
  write<K extends WriteOpName>(name: K, args: WriteOpArgs<K>): Promise<WriteOpResult<K>>;
  readonly locks: LockBackend;
  watch(mailboxId: number, listener: ChangeListener): () => void;
  backup(file: string): Promise<void>;
  /** Durable commits so far (group commit makes it far fewer than writes). */
  readonly commitCount: number;
  /** Resolves once every write started so far has settled. */
  drained(): Promise<void>;
  /** Called after `drained` and after held locks were released: closes connections and timers. */
  close(): Promise<void>;
}

/** Where background failures (listener errors, heartbeat/prune failures) are reported. */
export interface StoreLogger {
  warn(obj: object, msg?: string): void;
}
