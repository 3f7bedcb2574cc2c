import type { IndexedBody } from './search-types.js';
/**
 * The one table of the store's writes: each named and typed once, here. A backend implements the
 * table (SQLite synchronously inside its group-commit transaction, `SyncWriteOps`; PostgreSQL
 * asynchronously on a transaction's client, `AsyncWriteOps`), and the core store (mail-store.ts)
 * calls writes only by name through `StoreBackend.write`. Arguments and results are plain,
 * structured-cloneable data: SQLite may run them on its writer thread (docs/adr/0013).
 */
import type {
  Alias,
  BodySortKeys,
  AppPassword,
  ConditionalFlagResult,
  CopyResult,
  DeliveryResult,
  DeliveryTarget,
  DkimKey,
  DkimKeyInput,
  Domain,
  OutboundDsn,
  FlagMode,
  Mailbox,
  MessageSummary,
  OutboundEntry,
  QuotaResource,
  SpecialUse,
  User,
} from './types.js';

/** A delivery checked and described on the caller's side, ready to write (plain data only). */
export interface PreparedDelivery {
  /** The message bytes; a Uint8Array once it has crossed to a writer thread. */
  raw: Uint8Array;
  targets: DeliveryTarget[];
  flags: string[];
  internalDate: Date;
  /** Remote recipients (already normalized) to queue, and the envelope sender they are queued with. */
  recipients: string[];
  sender: string;
  /** RFC 3461 parameters, one per recipient (null: none), stored as JSON with the entry. */
  dsn: Array<OutboundDsn | null>;
  structure: string | null;
  /** The body's IMAP SORT/THREAD keys as JSON text (the `sortKeysOf` hook), or null (docs/adr/0037). */
  sortKeys?: string | null;
  /** DeliveryRequest.quota === 'enforce'. */
  enforceQuota: boolean;
  /** What the catcher's search index keeps of the body (search-types.ts), or null if not indexed. */
  search?: IndexedBody | null;
}

/** Every write, as a backend implements it synchronously (each runs inside the batch's transaction). */
export interface SyncWriteOps {
  addDomain(name: string): Domain;
  removeDomain(name: string): void;
  addUser(address: string, passwordHash: string | null): User;
  ensureUser(address: string): User;
  setPassword(address: string, passwordHash: string): void;
  removeUser(address: string): void;
  addAlias(source: string, destination: string): Alias;
  removeAlias(source: string, destination: string | undefined): void;
  createMailbox(userId: number, name: string, specialUse: SpecialUse | null): Mailbox;
  renameMailbox(userId: number, from: string, to: string): void;
  deleteMailbox(userId: number, name: string): void;
  setSubscribed(userId: number, name: string, subscribed: boolean): void;
  deliver(delivery: PreparedDelivery): DeliveryResult;
  /** Every delivery in one op, so in one savepoint: all are stored or none. */
  deliverAll(deliveries: PreparedDelivery[]): DeliveryResult[];
  /** Sort keys for bodies that have none yet (docs/adr/0037); recorded keys are never replaced. */
  recordSortKeys(entries: BodySortKeys[]): void;
  setFlags(mailboxId: number, uids: number[], mode: FlagMode, flags: string[]): MessageSummary[];
  setFlagsUnchangedSince(
    mailboxId: number,
    uids: number[],
    mode: FlagMode,
    flags: string[],
    unchangedSince: number,
  ): ConditionalFlagResult;
  expunge(mailboxId: number, uids: number[] | undefined): number[];
  copyMessages(fromMailboxId: number, uids: number[], toMailboxId: number): CopyResult;
  moveMessages(fromMailboxId: number, uids: number[], toMailboxId: number): CopyResult;
  claimOutbound(limit: number, leaseMs: number): OutboundEntry[];
  /** Also the admin's delete: either way the entry goes and its body reference with it. */
  completeOutbound(id: number): void;
  rescheduleOutbound(id: number, nextAttemptAt: Date, error: string): void;
  failOutbound(id: number, error: string): void;
  retryOutbound(id: number): void;
  markOutboundDelayNotified(id: number): void;
  setDkimKey(domain: string, key: DkimKeyInput): DkimKey;
  /** `hash` is the sha256 (hex) of the generated secret (core/app-passwords.ts). */
  addAppPassword(address: string, name: string, hash: string): AppPassword;
  removeAppPassword(address: string, name: string): void;
  setQuota(address: string, limit: number | null, resource: QuotaResource): void;
  setDomainQuota(domain: string, limit: number | null, resource: QuotaResource): void;
  /** Name and size already checked by the core; the backend counts the user's scripts. */
  putSieveScript(userId: number, name: string, content: string, now: number): void;
  deleteSieveScript(userId: number, name: string): void;
  renameSieveScript(userId: number, from: string, to: string): void;
  activateSieveScript(userId: number, name: string | null): void;
  /** `sender` already lower-cased by the core. */
  claimVacationReply(userId: number, handle: string, sender: string, days: number, now: number): boolean;
  /** Deletes change rows older than `before` (ms since the epoch). */
  pruneChanges(before: number): void;
  /**
   * Adds the catcher's search entry of bodies stored without one (before the index existed, or
   * copied by `store copy`); a body gone meanwhile or already indexed is skipped. Returns how many
   * were added.
   */
  indexBodies(entries: Array<{ hash: string; body: IndexedBody }>): number;
  /**
   * Deletes expunge history older than `before` (ms since the epoch), raising each mailbox's
   * complete-history mark past what it deletes (RFC 7162 QRESYNC, docs/adr/0026).
   */
  pruneExpungedHistory(before: number): void;
  /**
   * RFC 3501 2.3.2 \Recent across processes and nodes: raises the mailbox's claimed mark to
   * `uid` and returns the mark before (the caller's \Recent messages are those above it).
   */
  claimRecent(mailboxId: number, uid: number): number;
}

export type WriteOpName = keyof SyncWriteOps;
export type WriteOpArgs<K extends WriteOpName> = Parameters<SyncWriteOps[K]>;
export type WriteOpResult<K extends WriteOpName> = ReturnType<SyncWriteOps[K]>;

/** The same table, as a backend implements it asynchronously on a transaction's context `C`. */
export type AsyncWriteOps<C> = {
  [K in WriteOpName]: (context: C, ...args: WriteOpArgs<K>) => Promise<WriteOpResult<K>>;
};

/** Calls one named op of a sync table; the one place the name-to-method dispatch is typed loosely. */
export function applySyncOp<K extends WriteOpName>(
  ops: SyncWriteOps,
  name: K,
  args: WriteOpArgs<K>,
): WriteOpResult<K> {
  const method = ops[name] as (...args: WriteOpArgs<K>) => WriteOpResult<K>;
  return method.apply(ops, args);
}

/** The same for an async table. */
export function applyAsyncOp<C, K extends WriteOpName>(
  ops: AsyncWriteOps<C>,
  context: C,
  name: K,
  args: WriteOpArgs<K>,
): Promise<WriteOpResult<K>> {
  const method = ops[name] as (context: C, ...args: WriteOpArgs<K>) => Promise<WriteOpResult<K>>;
  return method.call(ops, context, ...args);
}
