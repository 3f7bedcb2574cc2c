/**
 * The store's public types, shared by every backend (SQLite, PostgreSQL): no SQL, no driver
 * types. The interfaces callers hold are in interfaces.ts.
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
  /** Messages with \Deleted (RFC 9208 STATUS DELETED) and their total size (DELETED-STORAGE). */
  deleted: number;
  deletedSize: number;
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
  /**
   * RFC 8514: when the message was saved into this mailbox (delivery, APPEND, COPY, MOVE).
   * Messages stored before save dates were kept report their internal date.
   */
  saveDate: Date;
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

/**
 * What IMAP SORT and THREAD read of a whole mailbox (`listSortKeys`, docs/adr/0037): per message,
 * in UID order, its UID, internal date (ms), size and the sort keys recorded for its body (the JSON
 * value the `sortKeysOf` hook made at delivery or `recordSortKeys` filled in later; null while
 * none is recorded). The store does not look inside the keys. Shared and read-only: never edit.
 */
export interface MessageSortKeyList {
  readonly uids: readonly number[];
  readonly internalDates: readonly number[];
  readonly sizes: readonly number[];
  readonly keys: readonly unknown[];
}

/** One body's sort keys to record (`recordSortKeys`): JSON text, as `sortKeysOf` makes it. */
export interface BodySortKeys {
  bodyHash: string;
  sortKeys: string;
}

/**
 * RFC 7162 3.2.5 / 3.2.6: what a mailbox's expunge history says since a mod-sequence
 * (`expungedSince`).
 */
export interface ExpungedSince {
  /** UIDs expunged with a mod-sequence above the one asked for, ascending. */
  uids: number[];
  /**
   * False when the history of that time was pruned (EXPUNGED_HISTORY_RETENTION_MS) or predates
   * it: `uids` may then miss some, and any UID not in the mailbox may have vanished since.
   */
  complete: boolean;
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

/**
 * A message a protocol spooled to a file instead of holding it in memory (docs/adr/0027): the
 * message is `head` (e.g. trace headers) followed by the file's bytes from `offset` to its end.
 * The store reads the file when the write's turn comes and never deletes or changes it: the
 * caller owns the file and removes it once `deliver` has settled, whatever the outcome.
 */
export interface SpooledMessage {
  path: string;
  head?: Uint8Array;
  offset?: number;
}

/** Exactly one of `raw` and `spooled` says what the message is. */
export interface DeliveryRequest {
  /** The whole message, CRLF line endings, exactly the bytes to serve later. */
  raw?: Buffer;
  /** The message in a spool file, for large messages; the same bytes as `raw` would be. */
  spooled?: SpooledMessage;
  /** Local copies to make. Duplicates (same mailbox) are made once. */
  targets: DeliveryTarget[];
  /** Remote recipients to queue for relay in the same transaction (nothing is half-stored). */
  /** `dsn[i]`: the RFC 3461 parameters of `recipients[i]` (absent or null: none). */
  outbound?: { sender: string; recipients: string[]; dsn?: Array<OutboundDsn | null> };
  flags?: string[];
  internalDate?: Date;
  /**
   * 'enforce': a local user whose quota this message would pass gets no copy (their id is listed in
   * `overQuota`), checked inside the write transaction so concurrent deliveries never pass a limit;
   * when nobody is left to deliver to, the delivery fails with OVER_QUOTA and nothing is stored.
   * Users brought to the warning threshold (default 90%) get a warning message. Absent: no check.
   */
  quota?: 'enforce';
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
  /** With `quota: 'enforce'`: ids of the users who got no copy because it would pass their quota. */
  overQuota?: number[];
  /** With `quota: 'enforce'`: each limited user's quota before this delivery and what it added. */
  quotaUsage?: QuotaUsage[];
}

/** What one delivery added to a user's usage, with the quota as it was before. */
export interface QuotaUsage {
  userId: number;
  address: string;
  before: Quota;
  addedBytes: number;
  addedMessages: number;
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

/** RFC 3461 parameters of one queued recipient (per-message RET/ENVID repeated in each). */
export interface OutboundDsn {
  /** RFC 3461 4.1 NOTIFY; absent: the default (failure and delay notices, no success notice). */
  notify?: Array<'SUCCESS' | 'FAILURE' | 'DELAY' | 'NEVER'>;
  /** RFC 3461 4.2 ORCPT (`rfc822;` plus the address, xtext decoded). */
  orcpt?: string;
  /** RFC 3461 4.3 RET: the whole message or only its headers in a failure DSN. */
  ret?: 'FULL' | 'HDRS';
  /** RFC 3461 4.4 ENVID (xtext decoded). */
  envid?: string;
}

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
  /** The DSN parameters the submitter gave (RFC 3461), or null. */
  dsn: OutboundDsn | null;
}

/**
 * A per-user app password (issue 18): a generated secret, named by the user (e.g. `phone`), usable
 * wherever the main password is (IMAP, POP3, submission) and revoked alone. The secret itself is
 * shown once and stored only as its sha256.
 */
export interface AppPassword {
  name: string;
  createdAt: Date;
}

/** RFC 9208 5.1 STORAGE (octets here; 1024-octet units on the wire) and 5.2 MESSAGE. */
export type QuotaResource = 'STORAGE' | 'MESSAGE';

/** A user's quota and its exact usage (RFC 9208 STORAGE and MESSAGE resources). */
export interface Quota {
  /** Octets allowed; null: no limit. The user's own limit, else the domain's default. */
  limitBytes: number | null;
  /** Where limitBytes comes from. */
  source: 'user' | 'domain' | 'none';
  /** Messages allowed; null: no limit. The user's own limit, else the domain's default. */
  limitMessages: number | null;
  /** Total RFC 822 size of every message the user has, in every mailbox. */
  usedBytes: number;
  usedMessages: number;
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
  /** Storing this would pass a quota (IMAP `NO [OVERQUOTA]`, SMTP `552 5.2.2`). */
  | 'OVER_QUOTA'
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
