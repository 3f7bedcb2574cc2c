import { backupDatabase } from './backup.js';
import { Bodies, bodyHashOf } from './bodies.js';
import { ChangeFeed, ChangeLog } from './change-feed.js';
import { openDatabase, type SqliteDatabase } from './db.js';
import { Directory } from './directory.js';
import { DkimKeys } from './dkim-keys.js';
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
import { MaildropLocks } from './maildrop-locks.js';
import { Mailboxes } from './mailboxes.js';
import { Messages } from './messages.js';
import { migrate } from './migrations/index.js';
import { OutboundQueue } from './outbound.js';
import { decoyPasswordHash, hashPassword, verifyPasswordHash } from './password.js';
import { UidValidityCounter } from './uid-validity.js';
import { WalSync } from './wal-sync.js';
import { WriteQueue, type Durability } from './write-queue.js';
import {
  StoreError,
  type Alias,
  type ChangeListener,
  type ConditionalFlagResult,
  type CopyResult,
  type DeliveredCopy,
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
}

/**
 * MailStore on one SQLite file. Reads are synchronous prepared statements wrapped in promises;
 * every write goes through the group-commit WriteQueue. Composes one small class per concern.
 */
export class SqliteMailStore implements MailStore {
  private readonly db: SqliteDatabase;
  private readonly queue: WriteQueue;
  private readonly walSync: WalSync;
  private readonly feed: ChangeFeed;
  private readonly changes: ChangeLog;
  private readonly directory: Directory;
  private readonly mailboxes: Mailboxes;
  private readonly messages: Messages;
  private readonly bodies: Bodies;
  private readonly outbound: OutboundQueue;
  private readonly locks: MaildropLocks;
  private readonly dkimKeys: DkimKeys;
  private readonly heldLocks = new Map<string, { userId: number; owner: string }>();
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
    this.changes = new ChangeLog(this.db);
    this.feed = new ChangeFeed(this.db, (error) => this.warn(error, 'change listener threw'));
    this.queue = new WriteQueue(
      this.db,
      () => this.pumpFeed(),
      () => this.walSync.sync(),
    );
    this.mailboxes = new Mailboxes(this.db, this.changes, new UidValidityCounter(this.db));
    this.directory = new Directory(this.db, this.mailboxes);
    this.messages = new Messages(this.db, this.mailboxes, this.changes);
    this.bodies = new Bodies(this.db);
    this.outbound = new OutboundQueue(this.db);
    this.locks = new MaildropLocks(this.db);
    this.dkimKeys = new DkimKeys(this.db);
    this.every(options.changePollIntervalMs ?? CHANGE_POLL_INTERVAL_MS, () => this.pollFeed());
    this.every(LOCK_HEARTBEAT_INTERVAL_MS, () => this.heartbeatLocks());
    this.every(CHANGE_PRUNE_INTERVAL_MS, () => this.pruneChanges());
  }

  /** Number of durable COMMITs this store has made (group commit makes it << number of writes). */
  get commitCount(): number {
    return this.queue.commitCount;
  }

  // ---- domains, users, aliases ----------------------------------------------------------------

  addDomain(name: string): Promise<Domain> {
    return this.write(() => this.directory.addDomain(name));
  }

  removeDomain(name: string): Promise<void> {
    return this.write(() => this.directory.removeDomain(name));
  }

  listDomains(): Promise<Domain[]> {
    return this.read(() => this.directory.listDomains());
  }

  isLocalDomain(name: string): Promise<boolean> {
    return this.read(() => this.directory.isLocalDomain(name));
  }

  async addUser(address: string, password: string | null): Promise<User> {
    parseAddress(address);
    const hash = password === null ? null : await hashPassword(password);
    return this.write(() => this.directory.addUser(address, hash));
  }

  ensureUser(address: string): Promise<User> {
    return this.write(() => this.directory.ensureUser(address));
  }

  async setPassword(address: string, password: string): Promise<void> {
    const hash = await hashPassword(password);
    return this.write(() => this.directory.setPassword(address, hash));
  }

  removeUser(address: string): Promise<void> {
    return this.write(() => {
      for (const mailbox of this.directory.removeUser(address)) {
        this.changes.record(mailbox.id, 'mailbox', null, mailbox.highestModseq);
      }
    });
  }

  getUser(address: string): Promise<User | null> {
    return this.read(() => this.directory.getUser(address));
  }

  listUsers(): Promise<User[]> {
    return this.read(() => this.directory.listUsers());
  }

  async verifyPassword(address: string, password: string): Promise<User | null> {
    const found = await this.read(() => this.directory.passwordHash(address));
    if (found === null || found.hash === null) {
      // Same cost as a real check, so timing does not reveal which addresses exist.
      await verifyPasswordHash(password, await decoyPasswordHash());
      return null;
    }
    return (await verifyPasswordHash(password, found.hash)) ? found.user : null;
  }

  sendableAddresses(userId: number): Promise<string[]> {
    return this.read(() => this.directory.sendableAddresses(userId));
  }

  addAlias(source: string, destination: string): Promise<Alias> {
    return this.write(() => this.directory.addAlias(source, destination));
  }

  removeAlias(source: string, destination?: string): Promise<void> {
    return this.write(() => this.directory.removeAlias(source, destination));
  }

  listAliases(): Promise<Alias[]> {
    return this.read(() => this.directory.listAliases());
  }

  resolveRecipient(address: string): Promise<RecipientResolution> {
    return this.read(() => this.directory.resolveRecipient(address));
  }

  // ---- mailboxes ------------------------------------------------------------------------------

  listMailboxes(userId: number): Promise<Mailbox[]> {
    return this.read(() => this.mailboxes.list(userId));
  }

  getMailbox(userId: number, name: string): Promise<Mailbox | null> {
    return this.read(() => this.mailboxes.get(userId, name));
  }

  getMailboxById(mailboxId: number): Promise<Mailbox | null> {
    return this.read(() => this.mailboxes.getById(mailboxId));
  }

  createMailbox(userId: number, name: string, specialUse: SpecialUse | null = null): Promise<Mailbox> {
    return this.write(() => this.mailboxes.create(userId, name, specialUse));
  }

  renameMailbox(userId: number, from: string, to: string): Promise<void> {
    return this.write(() => this.mailboxes.rename(userId, from, to));
  }

  deleteMailbox(userId: number, name: string): Promise<void> {
    return this.write(() => this.mailboxes.delete(userId, name));
  }

  setSubscribed(userId: number, name: string, subscribed: boolean): Promise<void> {
    return this.write(() => this.mailboxes.setSubscribed(userId, name, subscribed));
  }

  mailboxStatus(mailboxId: number): Promise<MailboxStatus> {
    return this.read(() => this.mailboxes.mailboxStatus(mailboxId));
  }

  // ---- messages -------------------------------------------------------------------------------

  deliver(request: DeliveryRequest): Promise<DeliveryResult> {
    let prepared: {
      flags: string[];
      internalDate: Date;
      bodyHash: string;
      recipients: string[];
      structure: string | null;
    };
    try {
      prepared = this.prepareDelivery(request);
    } catch (error) {
      return Promise.reject(toStoreError(error));
    }
    const { flags, internalDate, bodyHash, recipients, structure } = prepared;
    return this.write(() => {
      this.bodies.store(bodyHash, request.raw, structure);
      const copies: DeliveredCopy[] = [];
      const seenMailboxes = new Set<number>();
      for (const target of request.targets) {
        const mailbox =
          'mailboxId' in target
            ? this.mailboxes.requireSelectable(target.mailboxId)
            : this.mailboxes.requireSelectableNamed(target.userId, target.mailbox ?? 'INBOX');
        if (seenMailboxes.has(mailbox.id)) continue;
        seenMailboxes.add(mailbox.id);
        const added = this.messages.add(mailbox.id, bodyHash, request.raw.length, internalDate, flags);
        copies.push({ ...added, mailboxId: mailbox.id, userId: mailbox.userId });
      }
      const queued = recipients.map((recipient) =>
        this.outbound.enqueue(request.outbound?.sender ?? '', recipient, bodyHash, request.raw.length),
      );
      return { copies, queued, bodyHash };
    });
  }

  listMessages(mailboxId: number): Promise<MessageSummary[]> {
    return this.read(() => this.messages.list(mailboxId));
  }

  getMessage(mailboxId: number, uid: number): Promise<MessageSummary | null> {
    return this.read(() => this.messages.get(mailboxId, uid));
  }

  getMessages(mailboxId: number, uids: readonly number[]): Promise<MessageSummary[]> {
    return this.read(() => this.messages.getMany(mailboxId, uids));
  }

  listMessageFlags(mailboxId: number): Promise<MessageFlagList> {
    return this.read(() => this.messages.listFlags(mailboxId));
  }

  readBody(bodyHash: string): Promise<Buffer> {
    return this.read(() => this.bodies.readBody(bodyHash));
  }

  readStructure(bodyHash: string): Promise<string | null> {
    return this.read(() => this.bodies.readStructure(bodyHash));
  }

  setFlags(mailboxId: number, uids: number[], mode: FlagMode, flags: string[]): Promise<MessageSummary[]> {
    return this.write(() => this.messages.setFlags(mailboxId, uids, mode, flags));
  }

  setFlagsUnchangedSince(
    mailboxId: number,
    uids: number[],
    mode: FlagMode,
    flags: string[],
    unchangedSince: number,
  ): Promise<ConditionalFlagResult> {
    return this.write(() =>
      this.messages.setFlagsUnchangedSince(mailboxId, uids, mode, flags, unchangedSince),
    );
  }

  expunge(mailboxId: number, uids?: number[]): Promise<number[]> {
    return this.write(() => this.messages.expunge(mailboxId, uids));
  }

  copyMessages(fromMailboxId: number, uids: number[], toMailboxId: number): Promise<CopyResult> {
    return this.write(() => this.messages.copy(fromMailboxId, uids, toMailboxId));
  }

  moveMessages(fromMailboxId: number, uids: number[], toMailboxId: number): Promise<CopyResult> {
    return this.write(() => this.messages.move(fromMailboxId, uids, toMailboxId));
  }

  // ---- change feed ----------------------------------------------------------------------------

  watch(mailboxId: number, listener: ChangeListener): () => void {
    this.ensureOpen();
    return this.feed.watch(mailboxId, listener);
  }

  // ---- outbound queue -------------------------------------------------------------------------

  listOutbound(): Promise<OutboundEntry[]> {
    return this.read(() => this.outbound.list());
  }

  claimOutbound(limit: number, leaseMs: number = OUTBOUND_LEASE_MS): Promise<OutboundEntry[]> {
    return this.write(() => this.outbound.claimDue(limit, leaseMs));
  }

  completeOutbound(id: number): Promise<void> {
    return this.write(() => this.outbound.complete(id));
  }

  rescheduleOutbound(id: number, nextAttemptAt: Date, error: string): Promise<void> {
    return this.write(() => this.outbound.retryAt(id, nextAttemptAt, error));
  }

  failOutbound(id: number, error: string): Promise<void> {
    return this.write(() => this.outbound.markFailed(id, error));
  }

  retryOutbound(id: number): Promise<void> {
    return this.write(() => this.outbound.retryNow(id));
  }

  deleteOutbound(id: number): Promise<void> {
    return this.write(() => this.outbound.complete(id));
  }

  markOutboundDelayNotified(id: number): Promise<void> {
    return this.write(() => this.outbound.markDelayNotified(id));
  }

  // ---- DKIM keys ------------------------------------------------------------------------------

  setDkimKey(domain: string, key: DkimKeyInput): Promise<DkimKey> {
    return this.write(() => this.dkimKeys.set(domain, key));
  }

  getDkimKey(domain: string): Promise<DkimKey | null> {
    return this.read(() => this.dkimKeys.get(domain));
  }

  // ---- maildrop locks -------------------------------------------------------------------------

  // Locks are coordination, not mail: committed (every process sees them) is enough, and a POP3
  // login or QUIT does not wait for an fsync. A lock lost in a power cut is simply not held; an
  // unlock lost leaves a stale lock that the next login takes over (LOCK_STALE_AFTER_MS).
  async lockMaildrop(userId: number, owner: string): Promise<boolean> {
    const locked = await this.write(() => this.locks.lock(userId, owner), 'visible');
    if (locked) this.heldLocks.set(lockKey(userId, owner), { userId, owner });
    return locked;
  }

  async unlockMaildrop(userId: number, owner: string): Promise<void> {
    await this.write(() => this.locks.unlock(userId, owner), 'visible');
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
    await this.queue.drained();
    const held = [...this.heldLocks.values()];
    this.heldLocks.clear();
    if (held.length > 0) {
      await this.queue.run(() => {
        for (const { userId, owner } of held) this.locks.unlock(userId, owner);
      });
    }
    this.walSync.close();
    this.db.close();
  }

  // ---- internals ------------------------------------------------------------------------------

  private prepareDelivery(request: DeliveryRequest): {
    flags: string[];
    internalDate: Date;
    bodyHash: string;
    recipients: string[];
    structure: string | null;
  } {
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
      flags: normalizeFlags(request.flags ?? []),
      internalDate,
      bodyHash: bodyHashOf(request.raw),
      recipients,
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

  private write<T>(op: () => T, durability: Durability = 'durable'): Promise<T> {
    // TEMPORARY: a write racing shutdown should be retried by the client (SMTP 451), not bounced.
    if (this.closing !== null) return Promise.reject(new StoreError('TEMPORARY', 'store is closed'));
    return this.queue.run(op, durability);
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
    this.queue
      .run(() => {
        for (const { userId, owner } of held) this.locks.heartbeat(userId, owner);
      }, 'visible')
      .catch((error: unknown) => this.warn(error, 'maildrop lock heartbeat failed'));
  }

  private pruneChanges(): void {
    this.queue
      .run(() => this.feed.prune(Date.now() - CHANGE_RETENTION_MS))
      .catch((error: unknown) => this.warn(error, 'pruning the change feed failed'));
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

function lockKey(userId: number, owner: string): string {
  return `${userId}\u0000${owner}`;
}

/** Opens (creating and migrating as needed) the store at `options.path`. */
export function openStore(options: OpenStoreOptions): SqliteMailStore {
  return new SqliteMailStore(options);
}
