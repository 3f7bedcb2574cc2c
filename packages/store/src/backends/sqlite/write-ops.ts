import type { IndexedBody } from '../../core/search-types.js';
import type { HeldLock } from '../../core/backend.js';
import type { PreparedDelivery, SyncWriteOps } from '../../core/write-ops.js';
import { bodyHashOf } from '../../core/body-hash.js';
import { copiesPerUser, isOverQuota, planQuota } from '../../core/quotas.js';
import type { StoreParts } from './store-parts.js';
import type { TranscriptBatch, TranscriptWriteResult } from '../../core/transcripts.js';
import type {
  BodySortKeys,
  Alias,
  AppPassword,
  ConditionalFlagResult,
  CopyResult,
  DeliveredCopy,
  DeliveryResult,
  DkimKey,
  DkimKeyInput,
  Domain,
  FlagMode,
  Mailbox,
  MessageSummary,
  OutboundEntry,
  QuotaResource,
  SpecialUse,
  User,
} from '../../core/types.js';
import { StoreError } from '../../core/types.js';

/**
 * The core's write table (core/write-ops.ts) on SQLite, plus the writes only this backend makes
 * (maildrop lock rows): the same ops run on the store's own connection (InlineWriter) or on the
 * writer thread's (ThreadWriter, docs/adr/0013). Each runs inside the write queue's transaction
 * and savepoint.
 */
export class WriteOps implements SyncWriteOps {
  constructor(private readonly parts: StoreParts) {}

  addDomain(name: string): Domain {
    return this.parts.directory.addDomain(name);
  }

  removeDomain(name: string): void {
    this.parts.directory.removeDomain(name);
  }

  addUser(address: string, passwordHash: string | null): User {
    return this.parts.directory.addUser(address, passwordHash);
  }

  ensureUser(address: string): User {
    return this.parts.directory.ensureUser(address);
  }

  setPassword(address: string, passwordHash: string): void {
    this.parts.directory.setPassword(address, passwordHash);
  }

  removeUser(address: string): void {
    for (const mailbox of this.parts.directory.removeUser(address)) {
      this.parts.changes.record(mailbox.id, 'mailbox', null, mailbox.highestModseq);
    }
  }

  addAlias(source: string, destination: string): Alias {
    return this.parts.directory.addAlias(source, destination);
  }

  removeAlias(source: string, destination: string | undefined): void {
    this.parts.directory.removeAlias(source, destination);
  }

  createMailbox(userId: number, name: string, specialUse: SpecialUse | null): Mailbox {
    return this.parts.mailboxes.create(userId, name, specialUse);
  }

  renameMailbox(userId: number, from: string, to: string): void {
    this.parts.mailboxes.rename(userId, from, to);
  }

  deleteMailbox(userId: number, name: string): void {
    this.parts.mailboxes.delete(userId, name);
  }

  setSubscribed(userId: number, name: string, subscribed: boolean): void {
    this.parts.subscriptions.set(userId, name, subscribed);
  }

  deliver(delivery: PreparedDelivery): DeliveryResult {
    const { mailboxes, messages, bodies, outbound, quotas } = this.parts;
    const raw = asBuffer(delivery.raw);
    const seenMailboxes = new Set<number>();
    const targets: Mailbox[] = [];
    const flagsOf = new Map<number, typeof delivery.flags>();
    for (const target of delivery.targets) {
      const mailbox =
        'mailboxId' in target
          ? mailboxes.requireSelectable(target.mailboxId)
          : mailboxes.requireSelectableNamed(target.userId, target.mailbox ?? 'INBOX');
      if (seenMailboxes.has(mailbox.id)) continue;
      seenMailboxes.add(mailbox.id);
      targets.push(mailbox);
      // Sieve imap4flags (RFC 5232): a target's own flags replace the request's.
      flagsOf.set(mailbox.id, target.flags ?? delivery.flags);
    }
    // Quotas are read and checked in this transaction: no concurrent delivery can pass a limit.
    const plan = delivery.enforceQuota
      ? planQuota(
          copiesPerUser(targets),
          raw.length,
          new Map(targets.map((mailbox) => [mailbox.userId, quotas.withAddress(mailbox.userId)])),
        )
      : null;
    const kept = plan ? targets.filter((mailbox) => !plan.overQuota.includes(mailbox.userId)) : targets;
    if (plan && kept.length === 0 && delivery.recipients.length === 0) {
      throw new StoreError('OVER_QUOTA', 'every recipient is over quota');
    }
    // Hashed here, not by the caller: on the writer thread this work leaves the event loop too.
    const bodyHash = bodyHashOf(raw);
    bodies.store(bodyHash, raw, delivery.structure, delivery.sortKeys ?? null);
    // The search index is written in the delivery's own transaction (docs/adr/0017), at the end
    // of its write batch (docs/adr/0040).
    if (delivery.search) this.parts.search.indexLater(bodyHash, delivery.search);
    const copies: DeliveredCopy[] = [];
    for (const mailbox of kept) {
      const added = messages.add(
        mailbox.id,
        bodyHash,
        raw.length,
        delivery.internalDate,
        flagsOf.get(mailbox.id) ?? delivery.flags,
      );
      copies.push({ ...added, mailboxId: mailbox.id, userId: mailbox.userId });
    }
    const queued = delivery.recipients.map((recipient, i) =>
      outbound.enqueue(delivery.sender, recipient, bodyHash, raw.length, delivery.dsn[i] ?? null),
    );
    return plan
      ? { copies, queued, bodyHash, overQuota: plan.overQuota, quotaUsage: plan.usage }
      : { copies, queued, bodyHash };
  }

  recordSortKeys(entries: BodySortKeys[]): void {
    this.parts.bodies.recordSortKeys(entries);
  }

  deliverAll(deliveries: PreparedDelivery[]): DeliveryResult[] {
    // One op, one savepoint (write-queue.ts): a failure in any delivery rolls back all of them.
    return deliveries.map((delivery) => this.deliver(delivery));
  }

  setFlags(mailboxId: number, uids: number[], mode: FlagMode, flags: string[]): MessageSummary[] {
    return this.parts.messages.setFlags(mailboxId, uids, mode, flags);
  }

  setFlagsUnchangedSince(
    mailboxId: number,
    uids: number[],
    mode: FlagMode,
    flags: string[],
    unchangedSince: number,
  ): ConditionalFlagResult {
    return this.parts.messages.setFlagsUnchangedSince(mailboxId, uids, mode, flags, unchangedSince);
  }

  expunge(mailboxId: number, uids: number[] | undefined): number[] {
    return this.parts.messages.expunge(mailboxId, uids);
  }

  copyMessages(fromMailboxId: number, uids: number[], toMailboxId: number): CopyResult {
    const result = this.parts.messages.copy(fromMailboxId, uids, toMailboxId);
    // RFC 9208 4.4: a COPY that would pass the user's quota fails; the usage the triggers just
    // counted says so, and throwing rolls this op's savepoint back.
    if (result.targetUids.length > 0) {
      const { userId } = this.parts.mailboxes.requireSelectable(toMailboxId);
      if (isOverQuota(this.parts.quotas.get(userId))) {
        throw new StoreError('OVER_QUOTA', 'the copy would pass the quota');
      }
    }
    return result;
  }

  moveMessages(fromMailboxId: number, uids: number[], toMailboxId: number): CopyResult {
    return this.parts.messages.move(fromMailboxId, uids, toMailboxId);
  }

  claimOutbound(limit: number, leaseMs: number): OutboundEntry[] {
    return this.parts.outbound.claimDue(limit, leaseMs);
  }

  completeOutbound(id: number): void {
    this.parts.outbound.complete(id);
  }

  rescheduleOutbound(id: number, nextAttemptAt: Date, error: string): void {
    this.parts.outbound.retryAt(id, nextAttemptAt, error);
  }

  failOutbound(id: number, error: string): void {
    this.parts.outbound.markFailed(id, error);
  }

  retryOutbound(id: number): void {
    this.parts.outbound.retryNow(id);
  }

  markOutboundDelayNotified(id: number): void {
    this.parts.outbound.markDelayNotified(id);
  }

  addAppPassword(address: string, name: string, hash: string): AppPassword {
    return this.parts.appPasswords.add(this.parts.directory.userIdOf(address), name, hash);
  }

  setQuota(address: string, limit: number | null, resource: QuotaResource): void {
    this.parts.quotas.setForUser(this.parts.directory.userIdOf(address), limit, resource);
  }

  setDomainQuota(domain: string, limit: number | null, resource: QuotaResource): void {
    this.parts.quotas.setForDomain(domain, limit, resource);
  }

  removeAppPassword(address: string, name: string): void {
    this.parts.appPasswords.remove(this.parts.directory.userIdOf(address), name);
  }

  setDkimKey(domain: string, key: DkimKeyInput): DkimKey {
    return this.parts.dkimKeys.set(domain, key);
  }

  putSieveScript(userId: number, name: string, content: string, now: number): void {
    this.parts.sieveScripts.put(userId, name, content, now);
  }

  deleteSieveScript(userId: number, name: string): void {
    this.parts.sieveScripts.delete(userId, name);
  }

  renameSieveScript(userId: number, from: string, to: string): void {
    this.parts.sieveScripts.renameTo(userId, from, to);
  }

  activateSieveScript(userId: number, name: string | null): void {
    this.parts.sieveScripts.activate(userId, name);
  }

  claimVacationReply(userId: number, handle: string, sender: string, days: number, now: number): boolean {
    return this.parts.sieveScripts.claimVacation(userId, handle, sender, days, now);
  }

  /** Recorded conversations (docs/adr/0035): run with 'visible' durability, never fsync-awaited. */
  writeTranscripts(batch: TranscriptBatch): TranscriptWriteResult {
    return this.parts.transcripts.write(batch);
  }

  lockMaildrop(userId: number, owner: string): boolean {
    return this.parts.locks.lock(userId, owner);
  }

  unlockMaildrops(held: HeldLock[]): void {
    for (const { userId, owner } of held) this.parts.locks.unlock(userId, owner);
  }

  heartbeatMaildrops(held: HeldLock[]): void {
    for (const { userId, owner } of held) this.parts.locks.heartbeat(userId, owner);
  }

  indexBodies(entries: Array<{ hash: string; body: IndexedBody }>): number {
    return this.parts.search.indexExisting(entries);
  }

  pruneChanges(before: number): void {
    this.parts.changes.prune(before);
  }

  pruneExpungedHistory(before: number): void {
    this.parts.expunged.prune(before);
  }

  claimRecent(mailboxId: number, uid: number): number {
    return this.parts.recent.claim(mailboxId, uid);
  }
}

/** What a SQLite writer can be asked to run: the core's table and the lock rows. */
export type SqliteOpName = {
  [K in keyof WriteOps]: WriteOps[K] extends (...args: never[]) => unknown ? K : never;
}[keyof WriteOps];

export type SqliteOpArgs<K extends SqliteOpName> = Parameters<WriteOps[K]>;
export type SqliteOpResult<K extends SqliteOpName> = ReturnType<WriteOps[K]>;

/** Calls one named op; the one place the name-to-method dispatch is typed loosely. */
export function applyOp<K extends SqliteOpName>(
  ops: WriteOps,
  name: K,
  args: SqliteOpArgs<K>,
): SqliteOpResult<K> {
  const method = ops[name] as (...args: SqliteOpArgs<K>) => SqliteOpResult<K>;
  return method.apply(ops, args);
}

/** better-sqlite3 binds Buffers as BLOBs; a Uint8Array that crossed threads is viewed as one, not copied. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
