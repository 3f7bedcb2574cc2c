import { backupDatabase } from './backup.js';
import { ChangeFeed } from './change-feed.js';
import { openDatabase, type SqliteDatabase } from './db.js';
import { toStoreError } from './errors.js';
import { normalizeFlags } from './flags.js';
import { parseAddress } from './addresses.js';
import {
  CHANGE_POLL_INTERVAL_MS,
  CHANGE_PRUNE_INTERVAL_MS,
  CHANGE_RETENTION_MS,
  LOCK_HEARTBEAT_INTERVAL_MS,
  OUTBOUND_LEASE_MS,
} from './limits.js';
import { migrate } from './migrations/index.js';
import { decoyPasswordHash, hashPassword, verifyPasswordHash } from './password.js';
import { createStoreParts, type StoreParts } from './store-parts.js';
import { ThreadWriter } from './thread-writer.js';
import { WalSync } from './wal-sync.js';
import type { HeldLock, PreparedDelivery, WriteOpArgs, WriteOpName, WriteOpResult } from './write-ops.js';
import type { Durability } from './write-queue.js';
import { InlineWriter, type Writer } from './writer.js';
import {
  StoreError,
  type Alias,
  type ChangeListener,
  type ConditionalFlagResult,
  type CopyResult,
  type DeliveryRequest,
  type DeliveryResult,
  type DkimKey,
  type DkimKeyInput,
  type Domain,
  type FlagMode,
  type MailStore,
  type Mailbox,
  type MailboxStatus,
  type MessageFlagList,
  type MessageSummary,
  type OutboundEntry,
  type RecipientResolution,
  type SpecialUse,
  type User,
} from './types.js';

export interface StoreLogger {
  warn(obj: object, msg?: string): void;
}

export interface OpenStoreOptions {
  /** The SQLite file; its directory is created if missing. */
  path: string;
  /** How often to look for other processes' commits (default 250 ms). */
  changePollIntervalMs?: number;
  /** Where background failures (listener errors, heartbeat/prune failures) are reported. */
  logger?: StoreLogger;
  /**
   * Describes a body once, when it is first stored (the app passes the MIME parser's serialized
   * structure); `readStructure` returns it later. Injected so the store needs no MIME knowledge.
   * A describer that throws is logged and the body is stored without a description.
   */
  describeBody?: (raw: Buffer) => string;
  /**
   * Where writes run: `inline` on this thread (the default: no extra thread, least memory), or
   * `thread` on a worker thread with its own connection, so that the SQL and COMMIT of a busy
   * ingest leave the event loop free for sessions (docs/adr/0013). Durability is the same.
   */
  writer?: 'inline' | 'thread';
}

/**
 * MailStore on one SQLite file. Reads are synchronous prepared statements wrapped in promises;
 * every write goes through the group-commit WriteQueue. Composes one small class per concern.
 */
export class SqliteMailStore implements MailStore {
  private readonly db: SqliteDatabase;
  private readonly writer: Writer;
  private readonly walSync: WalSync;
  private readonly feed: ChangeFeed;
  /** Read side: the same classes the writer uses, on this thread's connection. */
  private readonly parts: StoreParts;
  private readonly heldLocks = new Map<string, HeldLock>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly logger: StoreLogger | undefined;
  private readonly describeBody: ((raw: Buffer) => string) | undefined;
  private closing: Promise<void> | null = null;

  constructor(options: OpenStoreOptions) {
    this.logger = options.logger;
    this.describeBody = options.describeBody;
    this.db = openDatabase(options.path);
    this.walSync = new WalSync(options.path);
    try {
      migrate(this.db);
      // Migrations commit outside the write queue; make them as durable as any other write.
      this.walSync.syncNow();
    } catch (error) {
      this.walSync.close();
      this.db.close();
      throw toStoreError(error);
    }
    this.feed = new ChangeFeed(this.db, (error) => this.warn(error, 'change listener threw'));
    this.parts = createStoreParts(this.db);
    this.writer =
      options.writer === 'thread'
        ? new ThreadWriter(
            options.path,
            () => this.pumpFeed(),
            (error) => this.warn(error, 'the writer thread stopped; writes fail until restart'),
          )
        : new InlineWriter(this.db, this.parts, this.walSync, () => this.pumpFeed());
    this.every(options.changePollIntervalMs ?? CHANGE_POLL_INTERVAL_MS, () => this.pollFeed());
    this.every(LOCK_HEARTBEAT_INTERVAL_MS, () => this.heartbeatLocks());
    this.every(CHANGE_PRUNE_INTERVAL_MS, () => this.pruneChanges());
  }

  /** Number of durable COMMITs this store has made (group commit makes it << number of writes). */
  get commitCount(): number {
    return this.writer.commitCount;
  }

  // ---- domains, users, aliases ----------------------------------------------------------------

  addDomain(name: string): Promise<Domain> {
    return this.write('addDomain', [name]);
  }

  removeDomain(name: string): Promise<void> {
    return this.write('removeDomain', [name]);
  }

  listDomains(): Promise<Domain[]> {
    return this.read(() => this.parts.directory.listDomains());
  }

  isLocalDomain(name: string): Promise<boolean> {
    return this.read(() => this.parts.directory.isLocalDomain(name));
  }

  async addUser(address: string, password: string | null): Promise<User> {
    parseAddress(address);
    const hash = password === null ? null : await hashPassword(password);
    return this.write('addUser', [address, hash]);
  }

  ensureUser(address: string): Promise<User> {
    return this.write('ensureUser', [address]);
  }

  async setPassword(address: string, password: string): Promise<void> {
    const hash = await hashPassword(password);
    return this.write('setPassword', [address, hash]);
  }

  removeUser(address: string): Promise<void> {
    return this.write('removeUser', [address]);
  }

  getUser(address: string): Promise<User | null> {
    return this.read(() => this.parts.directory.getUser(address));
  }

  listUsers(): Promise<User[]> {
    return this.read(() => this.parts.directory.listUsers());
  }

  async verifyPassword(address: string, password: string): Promise<User | null> {
    const found = await this.read(() => this.parts.directory.passwordHash(address));
    if (found === null || found.hash === null) {
      // Same cost as a real check, so timing does not reveal which addresses exist.
      await verifyPasswordHash(password, await decoyPasswordHash());
      return null;
    }
    return (await verifyPasswordHash(password, found.hash)) ? found.user : null;
  }

  sendableAddresses(userId: number): Promise<string[]> {
    return this.read(() => this.parts.directory.sendableAddresses(userId));
  }

  addAlias(source: string, destination: string): Promise<Alias> {
    return this.write('addAlias', [source, destination]);
  }

  removeAlias(source: string, destination?: string): Promise<void> {
    return this.write('removeAlias', [source, destination]);
  }

  listAliases(): Promise<Alias[]> {
    return this.read(() => this.parts.directory.listAliases());
  }

  resolveRecipient(address: string): Promise<RecipientResolution> {
    return this.read(() => this.parts.directory.resolveRecipient(address));
  }

  // ---- mailboxes ------------------------------------------------------------------------------

  listMailboxes(userId: number): Promise<Mailbox[]> {
    return this.read(() => this.parts.mailboxes.list(userId));
  }

  getMailbox(userId: number, name: string): Promise<Mailbox | null> {
    return this.read(() => this.parts.mailboxes.get(userId, name));
  }

  getMailboxById(mailboxId: number): Promise<Mailbox | null> {
    return this.read(() => this.parts.mailboxes.getById(mailboxId));
  }

  createMailbox(userId: number, name: string, specialUse: SpecialUse | null = null): Promise<Mailbox> {
    return this.write('createMailbox', [userId, name, specialUse]);
  }

  renameMailbox(userId: number, from: string, to: string): Promise<void> {
    return this.write('renameMailbox', [userId, from, to]);
  }

  deleteMailbox(userId: number, name: string): Promise<void> {
    return this.write('deleteMailbox', [userId, name]);
  }

  setSubscribed(userId: number, name: string, subscribed: boolean): Promise<void> {
    return this.write('setSubscribed', [userId, name, subscribed]);
  }

  mailboxStatus(mailboxId: number): Promise<MailboxStatus> {
    return this.read(() => this.parts.mailboxes.mailboxStatus(mailboxId));
  }

  // ---- messages -------------------------------------------------------------------------------

  deliver(request: DeliveryRequest): Promise<DeliveryResult> {
    let prepared: PreparedDelivery;
    try {
      prepared = this.prepareDelivery(request);
    } catch (error) {
      return Promise.reject(toStoreError(error));
    }
    return this.write('deliver', [prepared]);
  }

  listMessages(mailboxId: number): Promise<MessageSummary[]> {
    return this.read(() => this.parts.messages.list(mailboxId));
  }

  getMessage(mailboxId: number, uid: number): Promise<MessageSummary | null> {
    return this.read(() => this.parts.messages.get(mailboxId, uid));
  }

  getMessages(mailboxId: number, uids: readonly number[]): Promise<MessageSummary[]> {
    return this.read(() => this.parts.messages.getMany(mailboxId, uids));
  }

  listMessageFlags(mailboxId: number): Promise<MessageFlagList> {
    return this.read(() => this.parts.messages.listFlags(mailboxId));
  }

  readBody(bodyHash: string): Promise<Buffer> {
    return this.read(() => this.parts.bodies.readBody(bodyHash));
  }

  readStructure(bodyHash: string): Promise<string | null> {
    return this.read(() => this.parts.bodies.readStructure(bodyHash));
  }

  setFlags(mailboxId: number, uids: number[], mode: FlagMode, flags: string[]): Promise<MessageSummary[]> {
    return this.write('setFlags', [mailboxId, uids, mode, flags]);
  }

  setFlagsUnchangedSince(
    mailboxId: number,
    uids: number[],
    mode: FlagMode,
    flags: string[],
    unchangedSince: number,
  ): Promise<ConditionalFlagResult> {
    return this.write('setFlagsUnchangedSince', [mailboxId, uids, mode, flags, unchangedSince]);
  }

  expunge(mailboxId: number, uids?: number[]): Promise<number[]> {
    return this.write('expunge', [mailboxId, uids]);
  }

  copyMessages(fromMailboxId: number, uids: number[], toMailboxId: number): Promise<CopyResult> {
    return this.write('copyMessages', [fromMailboxId, uids, toMailboxId]);
  }

  moveMessages(fromMailboxId: number, uids: number[], toMailboxId: number): Promise<CopyResult> {
    return this.write('moveMessages', [fromMailboxId, uids, toMailboxId]);
  }

  // ---- change feed ----------------------------------------------------------------------------

  watch(mailboxId: number, listener: ChangeListener): () => void {
    this.ensureOpen();
    return this.feed.watch(mailboxId, listener);
  }

  // ---- outbound queue -------------------------------------------------------------------------

  listOutbound(): Promise<OutboundEntry[]> {
    return this.read(() => this.parts.outbound.list());
  }

  claimOutbound(limit: number, leaseMs: number = OUTBOUND_LEASE_MS): Promise<OutboundEntry[]> {
    return this.write('claimOutbound', [limit, leaseMs]);
  }

  completeOutbound(id: number): Promise<void> {
    return this.write('completeOutbound', [id]);
  }

  rescheduleOutbound(id: number, nextAttemptAt: Date, error: string): Promise<void> {
    return this.write('rescheduleOutbound', [id, nextAttemptAt, error]);
  }

  failOutbound(id: number, error: string): Promise<void> {
    return this.write('failOutbound', [id, error]);
  }

  retryOutbound(id: number): Promise<void> {
    return this.write('retryOutbound', [id]);
  }

  deleteOutbound(id: number): Promise<void> {
    return this.write('completeOutbound', [id]);
  }

  markOutboundDelayNotified(id: number): Promise<void> {
    return this.write('markOutboundDelayNotified', [id]);
  }

  // ---- DKIM keys ------------------------------------------------------------------------------

  setDkimKey(domain: string, key: DkimKeyInput): Promise<DkimKey> {
    return this.write('setDkimKey', [domain, key]);
  }

  getDkimKey(domain: string): Promise<DkimKey | null> {
    return this.read(() => this.parts.dkimKeys.get(domain));
  }

  // ---- maildrop locks -------------------------------------------------------------------------

  // Locks are coordination, not mail: committed (every process sees them) is enough, and a POP3
  // login or QUIT does not wait for an fsync. A lock lost in a power cut is simply not held; an
  // unlock lost leaves a stale lock that the next login takes over (LOCK_STALE_AFTER_MS).
  async lockMaildrop(userId: number, owner: string): Promise<boolean> {
    const locked = await this.write('lockMaildrop', [userId, owner], 'visible');
    if (locked) this.heldLocks.set(lockKey(userId, owner), { userId, owner });
    return locked;
  }

  async unlockMaildrop(userId: number, owner: string): Promise<void> {
    await this.write('unlockMaildrops', [[{ userId, owner }]], 'visible');
    this.heldLocks.delete(lockKey(userId, owner));
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  backup(file: string): Promise<void> {
    try {
      this.ensureOpen();
    } catch (error) {
      return Promise.reject(toStoreError(error));
    }
    return backupDatabase(this.db, file);
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await this.writer.drained();
    const held = [...this.heldLocks.values()];
    this.heldLocks.clear();
    if (held.length > 0) await this.writer.run('unlockMaildrops', [held], 'durable');
    await this.writer.close();
    this.walSync.close();
    this.db.close();
  }

  // ---- internals ------------------------------------------------------------------------------

  private prepareDelivery(request: DeliveryRequest): PreparedDelivery {
    if (request.raw.length === 0) throw new StoreError('INVALID', 'message is empty');
    const recipients = (request.outbound?.recipients ?? []).map(
      (recipient) => parseAddress(recipient).address,
    );
    if (request.targets.length === 0 && recipients.length === 0) {
      throw new StoreError('INVALID', 'delivery has neither local targets nor outbound recipients');
    }
    const internalDate = request.internalDate ?? new Date();
    if (Number.isNaN(internalDate.getTime()))
      throw new StoreError('INVALID', 'internal date is not a valid date');
    return {
      raw: compactBytes(request.raw),
      targets: request.targets.map((t) => (t.flags ? { ...t, flags: normalizeFlags(t.flags) } : t)),
      flags: normalizeFlags(request.flags ?? []),
      internalDate,
      recipients,
      sender: request.outbound?.sender ?? '',
      // Outside the write transaction: parsing must not hold up the other writers of the batch.
      structure: this.describe(request.raw),
    };
  }

  private describe(raw: Buffer): string | null {
    if (!this.describeBody) return null;
    try {
      return this.describeBody(raw);
    } catch (error) {
      this.warn(error, 'describeBody threw; body stored without structure');
      return null;
    }
  }

  private write<K extends WriteOpName>(
    name: K,
    args: WriteOpArgs<K>,
    durability: Durability = 'durable',
  ): Promise<WriteOpResult<K>> {
    // TEMPORARY: a write racing shutdown should be retried by the client (SMTP 451), not bounced.
    if (this.closing !== null) return Promise.reject(new StoreError('TEMPORARY', 'store is closed'));
    return this.writer.run(name, args, durability);
  }

  private read<T>(fn: () => T): Promise<T> {
    try {
      this.ensureOpen();
      return Promise.resolve(fn());
    } catch (error) {
      return Promise.reject(toStoreError(error));
    }
  }

  private ensureOpen(): void {
    if (this.closing !== null) throw new StoreError('TEMPORARY', 'store is closed');
  }

  private every(intervalMs: number, task: () => void): void {
    const timer = setInterval(task, intervalMs);
    // Background upkeep must never keep a process alive on its own.
    timer.unref();
    this.timers.push(timer);
  }

  private pumpFeed(): void {
    try {
      this.feed.pump();
    } catch (error) {
      this.warn(error, 'reading the change feed failed');
    }
  }

  private pollFeed(): void {
    try {
      this.feed.poll();
    } catch (error) {
      this.warn(error, 'polling the change feed failed');
    }
  }

  private heartbeatLocks(): void {
    const held = [...this.heldLocks.values()];
    if (held.length === 0) return;
    this.write('heartbeatMaildrops', [held], 'visible').catch((error: unknown) =>
      this.warn(error, 'maildrop lock heartbeat failed'),
    );
  }

  private pruneChanges(): void {
    this.write('pruneChanges', [Date.now() - CHANGE_RETENTION_MS]).catch((error: unknown) =>
      this.warn(error, 'pruning the change feed failed'),
    );
  }

  private warn(error: unknown, message: string): void {
    if (this.logger !== undefined) this.logger.warn({ err: error }, message);
    // Without a logger the failure still must not vanish.
    else
      process.emitWarning(
        `@minimail/store: ${message}: ${error instanceof Error ? error.message : String(error)}`,
      );
  }
}

/**
 * A message that is a small view on a much larger buffer (e.g. a literal sliced from a read
 * buffer) is copied out: posted to the writer thread, a view clones its whole backing buffer.
 */
function compactBytes(raw: Buffer): Buffer {
  return raw.byteLength * 2 < raw.buffer.byteLength ? Buffer.from(raw) : raw;
}

function lockKey(userId: number, owner: string): string {
  return `${userId}\u0000${owner}`;
}

/** Opens (creating and migrating as needed) the store at `options.path`. */
export function openStore(options: OpenStoreOptions): SqliteMailStore {
  return new SqliteMailStore(options);
}
