/**
 * The store's public contract. Protocol packages (smtp, pop3, imap) and the app see only these
 * types and the `MailStore` interface, never better-sqlite3 or SQL, so that a second backend
 * (PostgreSQL, see docs/adr/0002-store-interface.md) can implement the same interface later.
 *
 * Every method is async even though the SQLite backend is synchronous underneath: a network
 * backend cannot be, and writes resolve only after their transaction is durable (group commit).
 */

/** System flags of RFC 3501 2.3.2 that a client may set. `\Recent` is session state, not stored. */
export const SYSTEM_FLAGS = ['\\Seen', '\\Answered', '\\Flagged', '\\Deleted', '\\Draft'] as const;
export type SystemFlag = (typeof SYSTEM_FLAGS)[number];

/** RFC 6154 special-use attributes of the mailboxes every new user gets. */
export type SpecialUse = '\\Drafts' | '\\Sent' | '\\Trash' | '\\Junk' | '\\Archive' | '\\All' | '\\Flagged';

/** Mailboxes created for each new user, in this order (INBOX has no special-use attribute). */
export const DEFAULT_MAILBOXES: ReadonlyArray<{ name: string; specialUse: SpecialUse | null }> = [
  { name: 'INBOX', specialUse: null },
  { name: 'Drafts', specialUse: '\\Drafts' },
  { name: 'Sent', specialUse: '\\Sent' },
  { name: 'Trash', specialUse: '\\Trash' },
  { name: 'Junk', specialUse: '\\Junk' },
  { name: 'Archive', specialUse: '\\Archive' },
];

/** Hierarchy separator for mailbox names (IMAP LIST reports it). */
export const MAILBOX_SEPARATOR = '/';

export interface Domain {
  id: number;
  name: string;
  createdAt: Date;
}

export interface User {
  id: number;
  /** Lower-cased full address, e.g. `alice@example.com`. The login name. */
  address: string;
  /** Whether a password is set. Dev-profile accounts created by first delivery have none. */
  hasPassword: boolean;
  createdAt: Date;
}

export interface Alias {
  id: number;
  /** `user@domain`, or `@domain` for a catch-all. Lower-cased. */
  source: string;
  /** Where mail goes: a local user's address, or a remote address (forwarded through the queue). */
  destination: string;
}

/** What an envelope recipient means to this server. */
export type RecipientResolution =
  /** Delivered into these local users' INBOXes (an alias may fan out to several). */
  | { kind: 'local'; users: User[]; forward: string[] }
  /** The domain is not ours: the address is remote. */
  | { kind: 'remote' }
  /** The domain is ours but nobody has that address. */
  | { kind: 'unknown' };

export interface Mailbox {
  id: number;
  userId: number;
  /** Full name with `/` hierarchy, e.g. `Archive/2024`. INBOX is always spelled `INBOX`. */
  name: string;
  specialUse: SpecialUse | null;
  subscribed: boolean;
  /**
   * RFC 3501 6.3.4: a deleted mailbox that still has children stays as a name in the hierarchy
   * but holds no messages (LIST shows `\Noselect`). SELECT/APPEND/COPY into it are refused.
   */
  noselect: boolean;
  uidValidity: number;
  /** The UID the next message will get. Never decreases. */
  uidNext: number;
  /** Highest modseq of any change in this mailbox (RFC 7162 HIGHESTMODSEQ). */
  highestModseq: number;
  // No message counts here: counting scans the mailbox's index, and most lookups (delivery,
  // SELECT, STORE, COPY) do not need them. `mailboxStatus` counts when asked.
}

export interface MailboxStatus {
  messages: number;
  unseen: number;
  uidNext: number;
  uidValidity: number;
  highestModseq: number;
  /** Total RFC 822 size of all messages, in octets. */
  size: number;
}

/** One message as a mailbox lists it: everything but the body bytes. */
export interface MessageSummary {
  /** Store-wide identity of this copy; stable for its life. */
  id: number;
  mailboxId: number;
  uid: number;
  /** Flags and keywords, e.g. `['\\Seen', '$Forwarded']`. */
  flags: string[];
  internalDate: Date;
  /** RFC 822 size in octets, exactly as stored (CRLF line endings). */
  size: number;
  modseq: number;
  /** Content hash of the body (hex sha256): equal hashes mean byte-identical bodies. */
  bodyHash: string;
}

/**
 * A mailbox's UIDs, flags and modseqs as parallel arrays in UID order (index i is one message):
 * what an IMAP session needs to SELECT, without an object per message. Messages with the same
 * flags share one frozen array, so a 100,000-message mailbox costs a few distinct flag lists.
 */
export interface MessageFlagList {
  uids: number[];
  flags: Array<readonly string[]>;
  modseqs: number[];
}

export type FlagMode = 'add' | 'remove' | 'replace';

/** Result of a conditional flag change (RFC 7162 3.1.3 STORE ... (UNCHANGEDSINCE n)). */
export interface ConditionalFlagResult {
  /** Messages whose flags changed, with their new flags and modseq (as `setFlags` returns them). */
  changed: MessageSummary[];
  /** Messages that passed the test but whose flags were already as asked (modseq unchanged). */
  unchanged: MessageSummary[];
  /** UIDs left alone because their modseq was above `unchangedSince` (the MODIFIED set), ascending. */
  modified: number[];
}

/** Where a delivered or appended message goes. */
/** A local copy: a user's mailbox by name (default INBOX) or a mailbox by id; `flags` (Sieve
 * imap4flags, RFC 5232) replace the request's flags for this copy. */
export type DeliveryTarget =
  { userId: number; mailbox?: string; flags?: string[] } | { mailboxId: number; flags?: string[] };

export interface DeliveryRequest {
  /** The whole message, CRLF line endings, exactly the bytes to serve later. */
  raw: Buffer;
  /** Local copies to make. Duplicates (same mailbox) are made once. */
  targets: DeliveryTarget[];
  /** Remote recipients to queue for relay in the same transaction (nothing is half-stored). */
  outbound?: { sender: string; recipients: string[] };
  flags?: string[];
  internalDate?: Date;
}

export interface DeliveredCopy {
  messageId: number;
  mailboxId: number;
  userId: number;
  uid: number;
  uidValidity: number;
}

export interface DeliveryResult {
  copies: DeliveredCopy[];
  /** Ids of the outbound queue entries created, one per remote recipient. */
  queued: number[];
  bodyHash: string;
}

/** Result of a COPY or MOVE: the source UIDs and the UIDs they got in the target (RFC 4315 COPYUID). */
export interface CopyResult {
  uidValidity: number;
  sourceUids: number[];
  targetUids: number[];
}

/** A change to one mailbox, as other sessions must learn of it (the change feed). */
export type MailboxChange =
  | { kind: 'new'; mailboxId: number; uid: number; modseq: number }
  | { kind: 'flags'; mailboxId: number; uid: number; modseq: number; flags: string[] }
  | { kind: 'expunge'; mailboxId: number; uid: number; modseq: number }
  /** The mailbox was deleted or renamed; sessions that have it selected must leave it. */
  | { kind: 'mailbox'; mailboxId: number; modseq: number };

export type ChangeListener = (changes: MailboxChange[]) => void;

export interface OutboundEntry {
  id: number;
  sender: string;
  recipient: string;
  bodyHash: string;
  size: number;
  createdAt: Date;
  nextAttemptAt: Date;
  attempts: number;
  lastError: string | null;
  status: 'queued' | 'delivering' | 'failed';
  /** Whether the sender was already told delivery is delayed (RFC 3464 action=delayed), once. */
  delayNotified: boolean;
}

/** RFC 6376 3.3 / RFC 8463: the signing algorithms minimail generates keys for. */
export type DkimAlgorithm = 'rsa-sha256' | 'ed25519-sha256';

/** A domain's DKIM signing key. */
export interface DkimKey {
  /** Lower-cased signing domain (the `d=` tag). */
  domain: string;
  /** RFC 6376 3.1 selector (the `s=` tag): the key is published at `<selector>._domainkey.<domain>`. */
  selector: string;
  algorithm: DkimAlgorithm;
  /** PKCS#8 PEM private key. */
  privateKeyPem: string;
  /** The `p=` value of the DNS record: base64 SPKI DER for RSA, the raw 32-byte key for Ed25519 (RFC 8463 4.2). */
  publicKey: string;
  createdAt: Date;
}

export type DkimKeyInput = Pick<DkimKey, 'selector' | 'algorithm' | 'privateKeyPem' | 'publicKey'>;

/** Error codes the store raises; protocol packages map them to replies by table. */
export type StoreErrorCode =
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'INVALID'
  | 'LOCKED'
  /** Something transient (disk, busy database): the client should try again later. */
  | 'TEMPORARY';

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
  }
}

/**
 * The mail store. One instance per process; any number of processes may open the same data
 * directory at once (SQLite WAL), and each learns of the others' changes through `watch`.
 */
export interface MailStore {
  // ---- domains, users, aliases -------------------------------------------------------------
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
   * Checks a password against its scrypt hash. Null if unknown user (including a login name that
   * is not an address), no password, or mismatch. Costs one scrypt either way.
   */
  verifyPassword(address: string, password: string): Promise<User | null>;
  /**
   * Addresses a user may send as: its own plus every alias whose destination is the user. A
   * catch-all alias appears as `@domain`, meaning any address at that domain.
   */
  sendableAddresses(userId: number): Promise<string[]>;

  addAlias(source: string, destination: string): Promise<Alias>;
  removeAlias(source: string, destination?: string): Promise<void>;
  listAliases(): Promise<Alias[]>;
  /**
   * Exact user, then exact alias, then catch-all `@domain`; remote if the domain is not local.
   * Alias destinations that are not local users are returned in `forward`. A malformed address
   * rejects with INVALID.
   */
  resolveRecipient(address: string): Promise<RecipientResolution>;

  // ---- mailboxes -----------------------------------------------------------------------------
  listMailboxes(userId: number): Promise<Mailbox[]>;
  getMailbox(userId: number, name: string): Promise<Mailbox | null>;
  getMailboxById(mailboxId: number): Promise<Mailbox | null>;
  createMailbox(userId: number, name: string, specialUse?: SpecialUse | null): Promise<Mailbox>;
  /** Renames a mailbox and its children. Renaming INBOX moves its messages to a new mailbox. */
  renameMailbox(userId: number, from: string, to: string): Promise<void>;
  deleteMailbox(userId: number, name: string): Promise<void>;
  setSubscribed(userId: number, name: string, subscribed: boolean): Promise<void>;
  mailboxStatus(mailboxId: number): Promise<MailboxStatus>;

  // ---- messages ------------------------------------------------------------------------------
  /** Stores one body once and makes every local copy, plus queue entries, in one durable commit. */
  deliver(request: DeliveryRequest): Promise<DeliveryResult>;
  /** All messages of a mailbox in UID order. */
  listMessages(mailboxId: number): Promise<MessageSummary[]>;
  getMessage(mailboxId: number, uid: number): Promise<MessageSummary | null>;
  /** The messages with these UIDs, in UID order, in one read; UIDs not in the mailbox are skipped. */
  getMessages(mailboxId: number, uids: readonly number[]): Promise<MessageSummary[]>;
  /** `listMessages` reduced to UIDs, flags and modseqs, without an object per message (IMAP SELECT). */
  listMessageFlags(mailboxId: number): Promise<MessageFlagList>;
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

  // ---- change feed ---------------------------------------------------------------------------
  /**
   * Calls `listener` with every change to the mailbox made after this call, by this process (at
   * once, after commit) or by another process on the same data dir (within one second).
   * Returns the function that stops watching. Call it BEFORE reading the mailbox: a change that
   * another process committed just before may then arrive as well as be in the listing (ignore a
   * `new` UID you already have), but none is ever missed. Listeners run outside transactions.
   */
  watch(mailboxId: number, listener: ChangeListener): () => void;

  // ---- outbound queue ------------------------------------------------------------------------
  listOutbound(): Promise<OutboundEntry[]>;
  /**
   * For the delivery worker: takes up to `limit` due entries (queued, or `delivering` whose lease
   * ran out because a worker died), marks them `delivering`, counts the attempt and leases them
   * for `leaseMs` (their `nextAttemptAt` becomes the lease expiry).
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

  // ---- DKIM keys -------------------------------------------------------------------------------
  /** Stores the domain's signing key, replacing any earlier one. INVALID on a bad domain/selector. */
  setDkimKey(domain: string, key: DkimKeyInput): Promise<DkimKey>;
  /** The domain's signing key (case-insensitive), or null. */
  getDkimKey(domain: string): Promise<DkimKey | null>;

  // ---- maildrop locks (POP3, RFC 1939 8) ----------------------------------------------------
  /** Takes an exclusive lock on a user's maildrop; false if another live session holds it. */
  lockMaildrop(userId: number, owner: string): Promise<boolean>;
  unlockMaildrop(userId: number, owner: string): Promise<void>;

  // ---- lifecycle -----------------------------------------------------------------------------
  /**
   * Writes a consistent copy of the whole store to `file` while the store stays in use (SQLite
   * online backup): everything committed before the call is in it. The file appears only once
   * complete and checked. Restore is offline: see `restoreStore`.
   */
  backup(file: string): Promise<void>;
  /** Waits for pending writes, stops the change-feed poller and closes the database. */
  close(): Promise<void>;
}
