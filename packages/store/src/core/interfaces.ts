import type { CaughtGroup, IndexedTextMatch, MessagePage, MessageQuery } from './search-types.js';
/**
 * What each user of the store may call (docs/adr/0002). A protocol package names the narrow
 * interfaces it uses (POP3: mailbox access + maildrop locks + accounts; the relay worker: the
 * outbound queue), so what it depends on is visible in its types; `MailStore` is their union,
 * what the app opens and hands out. Every backend implements the union through one core class
 * (mail-store.ts), so the interfaces are spelled only here.
 *
 * Every method is async: a network backend cannot be otherwise, and writes resolve only after
 * their transaction is durable (group commit, docs/adr/0003).
 */
import type {
  Alias,
  Quota,
  QuotaResource,
  AppPassword,
  ChangeListener,
  ConditionalFlagResult,
  CopyResult,
  DeliveryRequest,
  DeliveryResult,
  DkimKey,
  DkimKeyInput,
  Domain,
  ExpungedSince,
  FlagMode,
  Mailbox,
  MailboxStatus,
  MessageFlagList,
  MessageSortKeyList,
  BodySortKeys,
  MessageSummary,
  OutboundEntry,
  RecipientResolution,
  SpecialUse,
  User,
} from './types.js';
import type { ActiveSieveScript, SieveScriptInfo } from './sieve-scripts.js';
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

/** Domains, users, aliases and the one password check (accounts and authentication). */
export interface AccountStore {
  addDomain(name: string): Promise<Domain>;
  removeDomain(name: string): Promise<void>;
  listDomains(): Promise<Domain[]>;
  isLocalDomain(name: string): Promise<boolean>;

  /** Creates the user and its default mailboxes. `password` null means no password (dev). */
  addUser(address: string, password: string | null): Promise<User>;
  /** Returns the user, creating it (and its mailboxes) with no password if absent. Dev profile. */
  ensureUser(address: string): Promise<User>;
  setPassword(address: string, password: string): Promise<void>;
  removeUser(address: string): Promise<void>;
  getUser(address: string): Promise<User | null>;
  listUsers(): Promise<User[]>;
  /**
   * Checks a password against its scrypt hash, then against the user's app passwords. Null if
   * unknown user (including a login name that is not an address), no password, or mismatch. Costs
   * one scrypt either way (an app password is a sha256 lookup on top).
   */
  verifyPassword(address: string, password: string): Promise<User | null>;
  /**
   * Addresses a user may send as: its own plus every alias whose destination is the user. A
   * catch-all alias appears as `@domain`, meaning any address at that domain.
   */
  sendableAddresses(userId: number): Promise<string[]>;

  /**
   * Generates an app password for the user under `name` (unique per user: ALREADY_EXISTS), and
   * returns the secret, which is never readable again. `verifyPassword` accepts it from then on.
   */
  addAppPassword(address: string, name: string): Promise<{ appPassword: AppPassword; password: string }>;
  listAppPasswords(address: string): Promise<AppPassword[]>;
  /** NOT_FOUND if the user has no app password of that name. */
  removeAppPassword(address: string, name: string): Promise<void>;

  /** The user's limit and exact usage. NOT_FOUND for an unknown user. */
  getQuota(address: string): Promise<Quota>;
  /**
   * Sets the user's own limit of a resource (STORAGE in octets, the default; MESSAGE in messages);
   * null falls back to the domain's default.
   */
  setQuota(address: string, limit: number | null, resource?: QuotaResource): Promise<void>;
  /** Sets the default limit of a resource for the domain's users; null: none. */
  setDomainQuota(domain: string, limit: number | null, resource?: QuotaResource): Promise<void>;

  addAlias(source: string, destination: string): Promise<Alias>;
  removeAlias(source: string, destination?: string): Promise<void>;
  listAliases(): Promise<Alias[]>;
  /**
   * Exact user, then exact alias, then catch-all `@domain`; remote if the domain is not local.
   * Alias destinations that are not local users are returned in `forward`. A malformed address
   * rejects with INVALID.
   */
  resolveRecipient(address: string): Promise<RecipientResolution>;
}

/** Local delivery (SMTP, IMAP APPEND, the dev catcher): one body, every copy, one commit. */
export interface DeliveryStore {
  /** Stores one body once and makes every local copy, plus queue entries, in one durable commit. */
  deliver(request: DeliveryRequest): Promise<DeliveryResult>;
  /**
   * Several deliveries in one durable commit, all or none (IMAP MULTIAPPEND, RFC 3502): if any
   * fails (a target mailbox gone, a bad flag), nothing of any of them is stored. Results in order.
   */
  deliverAll(requests: readonly DeliveryRequest[]): Promise<DeliveryResult[]>;
}

/** Mailboxes and the messages in them, as IMAP and POP3 read and change them. */
export interface MailboxAccess {
  listMailboxes(userId: number): Promise<Mailbox[]>;
  getMailbox(userId: number, name: string): Promise<Mailbox | null>;
  getMailboxById(mailboxId: number): Promise<Mailbox | null>;
  createMailbox(userId: number, name: string, specialUse?: SpecialUse | null): Promise<Mailbox>;
  /** Renames a mailbox and its children. Renaming INBOX moves its messages to a new mailbox. */
  renameMailbox(userId: number, from: string, to: string): Promise<void>;
  deleteMailbox(userId: number, name: string): Promise<void>;
  /**
   * RFC 3501 6.3.6 / 6.3.7: subscribes or unsubscribes a name, whether or not a mailbox has it
   * (INVALID only for a name no mailbox could have). CREATE and DELETE leave subscriptions alone.
   */
  setSubscribed(userId: number, name: string, subscribed: boolean): Promise<void>;
  /** The subscribed names, sorted; some may name no mailbox (deleted, or never created). */
  listSubscriptions(userId: number): Promise<string[]>;
  mailboxStatus(mailboxId: number): Promise<MailboxStatus>;

  /** All messages of a mailbox in UID order. */
  listMessages(mailboxId: number): Promise<MessageSummary[]>;
  getMessage(mailboxId: number, uid: number): Promise<MessageSummary | null>;
  /** The messages with these UIDs, in UID order, in one read; UIDs not in the mailbox are skipped. */
  getMessages(mailboxId: number, uids: readonly number[]): Promise<MessageSummary[]>;
  /** `listMessages` reduced to UIDs, flags and modseqs, without an object per message (IMAP SELECT). */
  listMessageFlags(mailboxId: number): Promise<MessageFlagList>;
  /**
   * IMAP SORT/THREAD's lean read (docs/adr/0037): UIDs, internal dates, sizes and each body's
   * recorded sort keys (null where none is recorded yet), in UID order, in one query; a big
   * mailbox's complete list is kept while its HIGHESTMODSEQ is unchanged (as listMessageFlags).
   */
  listSortKeys(mailboxId: number): Promise<MessageSortKeyList>;
  /**
   * Records sort keys for bodies that have none yet (a body stored before migration 015, or without
   * the `sortKeysOf` hook); keys already recorded are left alone (they are immutable). Each entry's
   * text must be JSON.
   */
  recordSortKeys(entries: readonly BodySortKeys[]): Promise<void>;
  /**
   * RFC 7162 3.2.5 / 3.2.6 (QRESYNC): the UIDs expunged from the mailbox with a mod-sequence
   * above `modseq`, from a history kept for EXPUNGED_HISTORY_RETENTION_MS; `complete` is false
   * when the history of that time is no longer (or was never) kept.
   */
  expungedSince(mailboxId: number, modseq: number): Promise<ExpungedSince>;
  /**
   * RFC 3501 2.3.2 \Recent, shared by every process and node on the data: raises the mailbox's
   * claimed mark to `uid` and returns the mark before it, in one transaction, so each UID is
   * claimed (is \Recent) in exactly one session.
   */
  claimRecent(mailboxId: number, uid: number): Promise<number>;
  /** The highest UID claimed as \Recent so far (0: none); messages above it are recent to the next claimer. */
  recentMark(mailboxId: number): Promise<number>;
  /** The stored bytes of a body, by content hash. */
  readBody(bodyHash: string): Promise<Buffer>;
  /** The description recorded when the body was stored (MIME structure JSON), or null if none. */
  readStructure(bodyHash: string): Promise<string | null>;
  /** Changes flags on the given UIDs; returns the messages that changed, with new flags/modseq. */
  setFlags(mailboxId: number, uids: number[], mode: FlagMode, flags: string[]): Promise<MessageSummary[]>;
  /**
   * `setFlags`, but only on messages whose modseq is at most `unchangedSince`, tested and changed
   * in one transaction so no other writer can slip in between (RFC 7162 3.1.3 UNCHANGEDSINCE).
   */
  setFlagsUnchangedSince(
    mailboxId: number,
    uids: number[],
    mode: FlagMode,
    flags: string[],
    unchangedSince: number,
  ): Promise<ConditionalFlagResult>;
  /**
   * Removes all `\Deleted` messages when `uids` is omitted (IMAP EXPUNGE/CLOSE). With `uids`,
   * removes exactly those that exist, flagged or not (POP3 UPDATE state); IMAP UID EXPUNGE must
   * pass only UIDs that are `\Deleted`. Returns the removed UIDs in ascending order.
   */
  expunge(mailboxId: number, uids?: number[]): Promise<number[]>;
  copyMessages(fromMailboxId: number, uids: number[], toMailboxId: number): Promise<CopyResult>;
  moveMessages(fromMailboxId: number, uids: number[], toMailboxId: number): Promise<CopyResult>;
}

/** The change feed: how a session learns what other sessions, processes and nodes did. */
export interface ChangeFeedStore {
  /**
   * Calls `listener` with every change to the mailbox made after this call, by this process (at
   * once, after commit) or by another process or node on the same data (within one second).
   * Returns the function that stops watching. Call it BEFORE reading the mailbox: a change that
   * another process committed just before may then arrive as well as be in the listing (ignore a
   * `new` UID you already have), but none is ever missed. Listeners run outside transactions.
   */
  watch(mailboxId: number, listener: ChangeListener): () => void;
}

/** The outbound queue, for the relay worker and the admin. */
export interface OutboundQueueStore {
  listOutbound(): Promise<OutboundEntry[]>;
  /**
   * For the delivery worker: takes up to `limit` due entries (queued, or `delivering` whose lease
   * ran out because a worker died), marks them `delivering`, counts the attempt and leases them
   * for `leaseMs` (their `nextAttemptAt` becomes the lease expiry). Two workers (in any process
   * or on any node) never claim one entry at once.
   */
  claimOutbound(limit: number, leaseMs?: number): Promise<OutboundEntry[]>;
  /** Delivered (or bounced): removes the entry and releases its body reference. */
  completeOutbound(id: number): Promise<void>;
  /** Temporary failure: back to `queued`, retried at `nextAttemptAt`. */
  rescheduleOutbound(id: number, nextAttemptAt: Date, error: string): Promise<void>;
  /** Permanent failure: kept as `failed` with its error (for the bounce and the admin). */
  failOutbound(id: number, error: string): Promise<void>;
  /** Admin: makes an entry (queued, delivering or failed) due now, as `queued`. NOT_FOUND if absent. */
  retryOutbound(id: number): Promise<void>;
  /** Admin: removes an entry without delivering it and releases its body. NOT_FOUND if absent. */
  deleteOutbound(id: number): Promise<void>;
  /** Records that the delay notice for this entry was sent, so it is sent once. */
  markOutboundDelayNotified(id: number): Promise<void>;
}

/** DKIM signing keys, one per domain (the relay signs, the admin rotates). */
export interface DkimKeyStore {
  /** Stores the domain's signing key, replacing any earlier one. INVALID on a bad domain/selector. */
  setDkimKey(domain: string, key: DkimKeyInput): Promise<DkimKey>;
  /** The domain's signing key (case-insensitive), or null. */
  getDkimKey(domain: string): Promise<DkimKey | null>;
}

/** The narrow interface ManageSieve, the CLI and delivery use. */
export interface SieveScriptStore {
  /** The user's scripts by name (byte order). */
  listSieveScripts(userId: number): Promise<SieveScriptInfo[]>;
  getSieveScript(userId: number, name: string): Promise<string | null>;
  /** Every script of the user by name (for RFC 6609 include at delivery). */
  allSieveScripts(userId: number): Promise<Map<string, string>>;
  /** Creates or replaces a script; keeps its active mark. Throws INVALID past the limits. */
  putSieveScript(userId: number, name: string, content: string): Promise<void>;
  /** Throws NOT_FOUND, or LOCKED for the active script (RFC 5804 2.10: deactivate first). */
  deleteSieveScript(userId: number, name: string): Promise<void>;
  /** Throws NOT_FOUND or ALREADY_EXISTS (RFC 5804 2.11.1). */
  renameSieveScript(userId: number, from: string, to: string): Promise<void>;
  /** Marks one script active (null: none). Throws NOT_FOUND. */
  activateSieveScript(userId: number, name: string | null): Promise<void>;
  activeSieveScript(userId: number): Promise<ActiveSieveScript | null>;
  /**
   * RFC 5230 4.1: records a vacation reply to `sender` (case-insensitive) and says whether to
   * send it: false when one was sent for the same handle within `days`. Check and record are one
   * transaction, so two deliveries at once send one reply.
   */
  claimVacationReply(
    userId: number,
    handle: string,
    sender: string,
    days: number,
    now?: number,
  ): Promise<boolean>;
}

/**
 * Recorded protocol conversations shared by every process and node (issue 16, docs/adr/0035).
 * Writes are batches from a recorder, committed without an fsync wait and never on a reply's
 * path; the table keeps within the batch's bounds (count and bytes), the oldest sessions dropped.
 */
export interface TranscriptStore {
  writeTranscripts(batch: TranscriptBatch): Promise<TranscriptWriteResult>;
  /** Newest first. */
  listTranscripts(filter: TranscriptFilter): Promise<TranscriptSummary[]>;
  getTranscript(id: string): Promise<StoredTranscript | null>;
  /** The sessions that touched these copies (or the copies they were copied or moved from), by start. */
  transcriptJourney(
    copies: ReadonlyArray<{ mailboxId: number; uid: number }>,
  ): Promise<TranscriptJourneyStep[]>;
  transcriptStats(): Promise<TranscriptStats>;
  /** What writers other than `exceptOrigin` changed after `after` (a version from an earlier call; 0 at first). */
  transcriptChanges(after: number, exceptOrigin: string): Promise<TranscriptChanges>;
  /** Calls `listener` soon (within about a second) after any process or node wrote transcripts. */
  watchTranscripts(listener: () => void): () => void;
}

/** POP3 maildrop locks (RFC 1939 8), exclusive across processes and nodes. */
export interface MaildropLockStore {
  /** Takes an exclusive lock on a user's maildrop; false if another live session holds it. */
  lockMaildrop(userId: number, owner: string): Promise<boolean>;
  unlockMaildrop(userId: number, owner: string): Promise<void>;
}

export interface StoreLifecycle {
  /**
   * Writes a consistent copy of the whole store to `file` while the store stays in use (SQLite
   * online backup): everything committed before the call is in it. The file appears only once
   * complete and checked. Restore is offline: see `restoreStore`. A PostgreSQL store refuses
   * (INVALID): its backups are PostgreSQL's own (pg_dump, base backups, replicas).
   */
  backup(file: string): Promise<void>;
  /** Waits for pending writes, releases this process's locks and closes the connections. */
  close(): Promise<void>;
}

/** What IMAP uses: logins (and dev accounts), APPEND, the mailboxes, and the change feed for IDLE. */
export type ImapStore = AccountStore & DeliveryStore & MailboxAccess & ChangeFeedStore & IndexedTextStore;

/**
 * IMAP SEARCH BODY answered from the full-text index (docs/adr/0036): the index narrows the
 * candidates, IMAP evaluates its exact semantics on them. Bodies without an entry are indexed
 * lazily, when a search needs them (production deliveries write no entry, docs/adr/0033).
 */
export interface IndexedTextStore {
  /**
   * The UIDs of the mailbox whose indexed body text (scope 'body', IMAP BODY), or header block or
   * body text (scope 'text', IMAP TEXT), may contain `term` (IMAP's comparison:
   * lower-cased substrings), and those the index cannot speak for; null when the index cannot
   * answer for this term (too short for trigrams, characters its folding does not keep apart):
   * then nothing is narrowed.
   */
  searchIndexedText(
    mailboxId: number,
    term: string,
    scope?: 'body' | 'text',
  ): Promise<IndexedTextMatch | null>;
  /**
   * Indexes, with the store's `indexBody` hook, up to `limit` bodies of the mailbox that have no
   * search entry (in write batches); resolves with how many were indexed (0 without the hook).
   */
  indexMailboxBodies(mailboxId: number, limit: number): Promise<number>;
}

/**
 * What the SMTP listeners (MX and submission) use: recipients, logins and sender addresses, local
 * delivery, and the mailboxes a recipient's Sieve script files into (listed, created on demand).
 * Other lookups of mailboxes (tests, admin) are outside it.
 */
export type SmtpStore = AccountStore & DeliveryStore & Pick<MailboxAccess, 'listMailboxes' | 'createMailbox'>;

/**
 * What the relay worker uses: the outbound queue, bodies to send (read by hash), DKIM keys to sign
 * with, and local delivery plus recipient lookup for bounces.
 */
export type RelayStore = OutboundQueueStore &
  DkimKeyStore &
  DeliveryStore &
  Pick<MailboxAccess, 'readBody'> &
  Pick<AccountStore, 'resolveRecipient'>;

/**
 * The whole store: what the app opens. One instance per process; any number of processes (SQLite:
 * on one data directory) or nodes (PostgreSQL: on one database) may use the same data at once.
 */
/**
 * The mail catcher's view (docs/adr/0017): caught mail grouped per delivery (one body, one
 * internal date, a copy per recipient), filtered and paged from the full-text index.
 */
export interface CatcherSearchStore {
  searchMessages(query: MessageQuery): Promise<MessagePage>;
  /** Every keyword (the catcher's tags) on a copy in these mailboxes (default: every INBOX), sorted. */
  catcherKeywords(mailboxIds?: readonly number[]): Promise<string[]>;
  /** The group (same body, same delivery) holding one copy, or null if that copy is gone. */
  caughtGroup(mailboxId: number, uid: number, mailboxIds?: readonly number[]): Promise<CaughtGroup | null>;
  /**
   * Indexes, with the store's `indexBody` hook, every body stored without a search entry (mail
   * caught before the index existed, or brought by `store copy`), in batches; resolves with how
   * many were indexed (0 without the hook). Safe to run while mail arrives, and from several
   * processes at once.
   */
  indexMissingBodies(): Promise<number>;
}

export interface MailStore
  extends
    AccountStore,
    CatcherSearchStore,
    IndexedTextStore,
    DeliveryStore,
    MailboxAccess,
    ChangeFeedStore,
    OutboundQueueStore,
    DkimKeyStore,
    SieveScriptStore,
    MaildropLockStore,
    TranscriptStore,
    StoreLifecycle {}
