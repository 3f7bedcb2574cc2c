import { MAX_QUERY_TERMS } from './limits.js';

/** Bodies indexed per write by indexMissingBodies: one short transaction each, between deliveries. */
const INDEX_BATCH = 100;
import type {
  CaughtGroup,
  IndexedBody,
  IndexedTextMatch,
  MessagePage,
  MessageQuery,
} from './search-types.js';
import { parseAddress } from './addresses.js';
import type { StoreBackend, StoreLogger } from './backend.js';
import { prepareDelivery } from './delivery.js';
import { isComplete } from './sort-key-list.js';
import type { MailStore } from './interfaces.js';
import {
  CHANGE_PRUNE_INTERVAL_MS,
  CHANGE_RETENTION_MS,
  EXPUNGED_HISTORY_RETENTION_MS,
  LOCK_HEARTBEAT_INTERVAL_MS,
  OUTBOUND_LEASE_MS,
  SPOOLED_LOAD_BYTES,
} from './limits.js';
import { LoadGate, readSpooled, spooledSize } from './spooled-load.js';
import { LockBook } from './lock-book.js';
import {
  appPasswordHash,
  checkAppPasswordName,
  generateAppPassword,
  isAppPasswordShaped,
} from './app-passwords.js';
import { checkPassword, hashPassword } from './password.js';
import { checkQuotaLimit, crossedWarning, DEFAULT_QUOTA_WARNING_PERCENT } from './quotas.js';
import { quotaWarningMessage } from './quota-warning.js';
import {
  StoreError,
  type Alias,
  type AppPassword,
  type Quota,
  type QuotaResource,
  type QuotaUsage,
  type ChangeListener,
  type ConditionalFlagResult,
  type CopyResult,
  type DeliveryRequest,
  type DeliveryResult,
  type DkimKey,
  type DkimKeyInput,
  type Domain,
  type ExpungedSince,
  type FlagMode,
  type Mailbox,
  type MailboxStatus,
  type MessageFlagList,
  type MessageSortKeyList,
  type BodySortKeys,
  type MessageSummary,
  type OutboundEntry,
  type RecipientResolution,
  type SpecialUse,
  type SpooledMessage,
  type User,
} from './types.js';
import {
  checkScript,
  checkScriptName,
  type ActiveSieveScript,
  type SieveScriptInfo,
} from './sieve-scripts.js';
import type { WriteOpArgs, WriteOpName, WriteOpResult } from './write-ops.js';
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

/** Sessions a transcript listing returns when the filter names no limit. */
const TRANSCRIPT_LIST_LIMIT = 1000;

/** What every backend's store takes besides where its data is. */
export interface CoreStoreOptions {
  /** Where background failures (listener errors, heartbeat/prune failures) are reported. */
  logger?: StoreLogger;
  /**
   * Describes a body once, when it is first stored (the app passes the MIME parser's serialized
   * structure); `readStructure` returns it later. Injected so the store needs no MIME knowledge.
   * A describer that throws is logged and the body is stored without a description.
   */
  describeBody?: (raw: Buffer) => string;
  /** Bytes of spooled messages read into memory at once (default SPOOLED_LOAD_BYTES, docs/adr/0027). */
  spooledLoadBytes?: number;
  /**
   * A delivery with `quota: 'enforce'` that brings a user to this share of a limit (percent)
   * leaves them a warning message (issue 18). Default 90; 0: no warnings.
   */
  quotaWarningPercent?: number;
  /**
   * What the catcher's search index keeps of a body (the app passes @minimail/http's extractor),
   * computed before the write like `describeBody`. Without it bodies are stored unindexed.
   */
  indexBody?: (raw: Buffer) => IndexedBody;
  /**
   * Whether deliveries run `indexBody` (default true). False keeps the hook for indexing later
   * (indexMissingBodies, and IMAP SEARCH's lazy indexMailboxBodies) while deliveries store no
   * search entry: the production profile (docs/adr/0033, 0036).
   */
  indexAtDelivery?: boolean;
  /** Mailboxes with at least this many messages have their lean list kept (default 5,000). */
  flagListCacheMinMessages?: number;
  /**
   * IMAP SORT/THREAD keys of a body (docs/adr/0037), computed once when the body is first stored,
   * before the write like `describeBody` (the app passes @minimail/imap's `sortKeysOfMessage`).
   * Must return JSON text; the store never looks inside. A describer that throws is logged and
   * the body is stored without keys (IMAP then fills them in the first time a SORT needs them).
   */
  sortKeysOf?: (raw: Buffer) => string;
}

/**
 * The MailStore every backend shares (docs/adr/0002): each public method once, with the rules
 * that are the same whatever holds the data (delivery checks, password hashing and its timing
 * guard, maildrop lock bookkeeping, refusing work once closed, background upkeep). Reads go to
 * `backend.reads`, writes by name to `backend.write`; nothing here knows SQL.
 */
export class CoreMailStore implements MailStore {
  private readonly locks: LockBook;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly logger: StoreLogger | undefined;
  private readonly describeBody: ((raw: Buffer) => string) | undefined;
  private readonly quotaWarningPercent: number;
  private readonly indexBody: ((raw: Buffer) => IndexedBody) | undefined;
  private readonly indexAtDelivery: boolean;
  private closing: Promise<void> | null = null;
  private readonly loadGate: LoadGate;
  /** listMessageFlags of big mailboxes, by mailbox id, with the HIGHESTMODSEQ they are valid for. */
  private readonly flagLists = new Map<number, { highestModseq: number; list: MessageFlagList }>();
  private readonly flagListCacheMin: number;
  private readonly sortKeysOf: ((raw: Buffer) => string) | undefined;
  /** listSortKeys of big mailboxes whose every body has keys, as flagLists (docs/adr/0037). */
  private readonly sortKeyLists = new Map<number, { highestModseq: number; list: MessageSortKeyList }>();

  constructor(
    protected readonly backend: StoreBackend,
    options: CoreStoreOptions = {},
  ) {
    this.logger = options.logger;
    this.describeBody = options.describeBody;
    this.sortKeysOf = options.sortKeysOf;
    this.quotaWarningPercent = options.quotaWarningPercent ?? DEFAULT_QUOTA_WARNING_PERCENT;
    this.loadGate = new LoadGate(options.spooledLoadBytes ?? SPOOLED_LOAD_BYTES);
    this.indexBody = options.indexBody;
    this.indexAtDelivery = options.indexAtDelivery ?? true;
    this.flagListCacheMin = options.flagListCacheMinMessages ?? FLAG_LIST_CACHE_MIN_MESSAGES;
    this.locks = new LockBook(backend.locks);
    this.every(LOCK_HEARTBEAT_INTERVAL_MS, () =>
      this.locks.heartbeat().catch((error: unknown) => this.warn(error, 'maildrop lock heartbeat failed')),
    );
    this.every(CHANGE_PRUNE_INTERVAL_MS, () =>
      this.pruneHistory().catch((error: unknown) => this.warn(error, 'pruning the change feed failed')),
    );
  }

  /**
   * Background upkeep (every CHANGE_PRUNE_INTERVAL_MS): drops change rows older than
   * CHANGE_RETENTION_MS and expunge history older than EXPUNGED_HISTORY_RETENTION_MS, as of `now`.
   */
  async pruneHistory(now: number = Date.now()): Promise<void> {
    await this.write('pruneChanges', [now - CHANGE_RETENTION_MS]);
    await this.write('pruneExpungedHistory', [now - EXPUNGED_HISTORY_RETENTION_MS]);
  }

  /** Number of durable COMMITs this store has made (group commit makes it << number of writes). */
  get commitCount(): number {
    return this.backend.commitCount;
  }

  // ---- domains, users, aliases ----------------------------------------------------------------

  addDomain(name: string): Promise<Domain> {
    return this.write('addDomain', [name]);
  }

  removeDomain(name: string): Promise<void> {
    return this.write('removeDomain', [name]);
  }

  listDomains(): Promise<Domain[]> {
    return this.read((reads) => reads.listDomains());
  }

  isLocalDomain(name: string): Promise<boolean> {
    return this.read((reads) => reads.isLocalDomain(name));
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
    return this.read((reads) => reads.getUser(address));
  }

  listUsers(): Promise<User[]> {
    return this.read((reads) => reads.listUsers());
  }

  async verifyPassword(address: string, password: string): Promise<User | null> {
    const user = await checkPassword(await this.read((reads) => reads.passwordHash(address)), password);
    if (user !== null || !isAppPasswordShaped(password)) return user;
    return this.read((reads) => reads.appPasswordUser(address, appPasswordHash(password)));
  }

  async addAppPassword(
    address: string,
    name: string,
  ): Promise<{ appPassword: AppPassword; password: string }> {
    const password = generateAppPassword();
    const appPassword = await this.write('addAppPassword', [
      address,
      checkAppPasswordName(name),
      appPasswordHash(password),
    ]);
    return { appPassword, password };
  }

  listAppPasswords(address: string): Promise<AppPassword[]> {
    return this.read((reads) => reads.listAppPasswords(address));
  }

  removeAppPassword(address: string, name: string): Promise<void> {
    return this.write('removeAppPassword', [address, name]);
  }

  getQuota(address: string): Promise<Quota> {
    return this.read((reads) => reads.getQuota(address));
  }

  async setQuota(address: string, limit: number | null, resource: QuotaResource = 'STORAGE'): Promise<void> {
    return this.write('setQuota', [address, checkQuotaLimit(limit, resource), resource]);
  }

  async setDomainQuota(
    domain: string,
    limit: number | null,
    resource: QuotaResource = 'STORAGE',
  ): Promise<void> {
    return this.write('setDomainQuota', [domain, checkQuotaLimit(limit, resource), resource]);
  }

  sendableAddresses(userId: number): Promise<string[]> {
    return this.read((reads) => reads.sendableAddresses(userId));
  }

  addAlias(source: string, destination: string): Promise<Alias> {
    return this.write('addAlias', [source, destination]);
  }

  removeAlias(source: string, destination?: string): Promise<void> {
    return this.write('removeAlias', [source, destination]);
  }

  listAliases(): Promise<Alias[]> {
    return this.read((reads) => reads.listAliases());
  }

  resolveRecipient(address: string): Promise<RecipientResolution> {
    return this.read((reads) => reads.resolveRecipient(address));
  }

  // ---- mailboxes ------------------------------------------------------------------------------

  listMailboxes(userId: number): Promise<Mailbox[]> {
    return this.read((reads) => reads.listMailboxes(userId));
  }

  getMailbox(userId: number, name: string): Promise<Mailbox | null> {
    return this.read((reads) => reads.getMailbox(userId, name));
  }

  getMailboxById(mailboxId: number): Promise<Mailbox | null> {
    return this.read((reads) => reads.getMailboxById(mailboxId));
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

  listSubscriptions(userId: number): Promise<string[]> {
    return this.read((reads) => reads.listSubscriptions(userId));
  }

  mailboxStatus(mailboxId: number): Promise<MailboxStatus> {
    return this.read((reads) => reads.mailboxStatus(mailboxId));
  }

  // ---- messages -------------------------------------------------------------------------------

  async deliver(request: DeliveryRequest): Promise<DeliveryResult> {
    if (request.spooled !== undefined && request.raw === undefined)
      return this.deliverSpooled(request.spooled, request);
    let prepared;
    try {
      prepared = prepareDelivery(
        request,
        (raw) => this.describe(raw),
        (raw) => this.indexForDelivery(raw),
        (raw) => this.sortKeysFor(raw),
      );
    } catch (error) {
      throw error instanceof StoreError ? error : new StoreError('INVALID', String(error));
    }
    const result = await this.write('deliver', [prepared]);
    await this.warnCrossed(result);
    return result;
  }

  /** Warns every user this delivery brought to the warning threshold (issue 18). */
  private async warnCrossed(result: DeliveryResult): Promise<void> {
    if (!result.quotaUsage || this.quotaWarningPercent <= 0) return;
    for (const crossed of crossedWarning(result.quotaUsage, this.quotaWarningPercent)) {
      await this.warnQuota(crossed);
    }
  }

  /**
   * The warning a user gets when a delivery brings them to the threshold (issue 18): a short
   * message in their INBOX. It is held to the quota like any delivery (no limit is ever passed);
   * a failure is logged: the delivery that caused it has already succeeded.
   */
  private async warnQuota(usage: QuotaUsage): Promise<void> {
    try {
      const raw = quotaWarningMessage(usage, this.quotaWarningPercent, new Date());
      const request: DeliveryRequest = { raw, targets: [{ userId: usage.userId }], quota: 'enforce' };
      await this.write('deliver', [
        prepareDelivery(
          request,
          (bytes) => this.describe(bytes),
          undefined,
          (bytes) => this.sortKeysFor(bytes),
        ),
      ]);
    } catch (error) {
      // Already full (the delivery took the last room): the senders' bounces say so instead.
      if (error instanceof StoreError && error.code === 'OVER_QUOTA') return;
      this.warn(error, `the quota warning to ${usage.address} was not delivered`);
    }
  }

  /**
   * A spooled message (docs/adr/0027) is read from its file only when the load gate has room, so
   * any number of large messages can wait for their commit while memory holds a bounded few.
   * Then it is the same delivery as with `raw`: one transaction, resolved once durable.
   */
  private async deliverSpooled(spooled: SpooledMessage, request: DeliveryRequest): Promise<DeliveryResult> {
    this.ensureOpen();
    const { spooled: _spooled, ...rest } = request;
    const size = await spooledSize(spooled);
    if (size === 0) throw new StoreError('INVALID', 'message is empty');
    const release = await this.loadGate.acquire(size);
    try {
      const raw = await readSpooled(spooled, size);
      return await this.deliver({ ...rest, raw });
    } finally {
      release();
    }
  }

  deliverAll(requests: readonly DeliveryRequest[]): Promise<DeliveryResult[]> {
    if (requests.some((request) => request.spooled !== undefined && request.raw === undefined))
      return this.deliverAllSpooled(requests);
    let prepared;
    try {
      if (requests.length === 0) throw new StoreError('INVALID', 'no deliveries');
      // Indexed for search like a single delivery, so a batch is searchable when it commits.
      prepared = requests.map((request) =>
        prepareDelivery(
          request,
          (raw) => this.describe(raw),
          (raw) => this.indexForDelivery(raw),
          (raw) => this.sortKeysFor(raw),
        ),
      );
    } catch (error) {
      return Promise.reject(error instanceof StoreError ? error : new StoreError('INVALID', String(error)));
    }
    return this.write('deliverAll', [prepared]).then(async (results) => {
      for (const result of results) await this.warnCrossed(result);
      return results;
    });
  }

  /**
   * MULTIAPPEND with spooled messages: one transaction needs all of them in memory at once, so the
   * gate admits their total in one piece (alone if larger than the bound), then it is deliverAll.
   */
  private async deliverAllSpooled(requests: readonly DeliveryRequest[]): Promise<DeliveryResult[]> {
    this.ensureOpen();
    const sizes = await Promise.all(
      requests.map((request) =>
        request.spooled !== undefined && request.raw === undefined ? spooledSize(request.spooled) : 0,
      ),
    );
    const release = await this.loadGate.acquire(sizes.reduce((sum, size) => sum + size, 0));
    try {
      const loaded = await Promise.all(
        requests.map(async (request, i) => {
          if (request.spooled === undefined || request.raw !== undefined) return request;
          const { spooled, ...rest } = request;
          if (sizes[i] === 0) throw new StoreError('INVALID', 'message is empty');
          return { ...rest, raw: await readSpooled(spooled, sizes[i]!) };
        }),
      );
      return await this.deliverAll(loaded);
    } finally {
      release();
    }
  }

  listMessages(mailboxId: number): Promise<MessageSummary[]> {
    return this.read((reads) => reads.listMessages(mailboxId));
  }

  getMessage(mailboxId: number, uid: number): Promise<MessageSummary | null> {
    return this.read((reads) => reads.getMessage(mailboxId, uid));
  }

  getMessages(mailboxId: number, uids: readonly number[]): Promise<MessageSummary[]> {
    return this.read((reads) => reads.getMessages(mailboxId, uids));
  }

  /**
   * The lean list of a mailbox. For a big mailbox the last list read is kept (a few mailboxes,
   * least recently used dropped) with the mailbox's HIGHESTMODSEQ read *before* it: every change
   * to a mailbox (new message, flags, expunge, move) raises that value in the same transaction,
   * so while it is unchanged the list is too, and one row read answers instead of a scan of every
   * message (docs/adr/0032). Each caller gets its own copy of the arrays (the IMAP view edits its).
   */
  /**
   * IMAP SORT/THREAD's lean list (docs/adr/0037), kept for big mailboxes exactly as
   * listMessageFlags keeps its list (docs/adr/0032): valid while the mailbox's HIGHESTMODSEQ,
   * read before the list, is unchanged. Only a complete list (every body's keys recorded) is
   * kept; the list is shared read-only, not copied.
   */
  async listSortKeys(mailboxId: number): Promise<MessageSortKeyList> {
    const mailbox = await this.read((reads) => reads.getMailboxById(mailboxId));
    const cached = this.sortKeyLists.get(mailboxId);
    this.sortKeyLists.delete(mailboxId);
    if (mailbox !== null && cached !== undefined && cached.highestModseq === mailbox.highestModseq) {
      // Most recently used last.
      this.sortKeyLists.set(mailboxId, cached);
      return cached.list;
    }
    const list = await this.read((reads) => reads.listSortKeys(mailboxId));
    if (mailbox !== null && list.uids.length >= this.flagListCacheMin && isComplete(list)) {
      this.sortKeyLists.set(mailboxId, { highestModseq: mailbox.highestModseq, list });
      while (this.sortKeyLists.size > SORT_KEY_CACHE_MAILBOXES) {
        const oldest = this.sortKeyLists.keys().next().value;
        if (oldest === undefined) break;
        this.sortKeyLists.delete(oldest);
      }
    }
    return list;
  }

  async recordSortKeys(entries: readonly BodySortKeys[]): Promise<void> {
    for (const entry of entries) {
      try {
        JSON.parse(entry.sortKeys);
      } catch {
        throw new StoreError('INVALID', `sort keys of body ${entry.bodyHash} are not JSON`);
      }
    }
    if (entries.length === 0) return;
    await this.write('recordSortKeys', [[...entries]]);
  }

  async listMessageFlags(mailboxId: number): Promise<MessageFlagList> {
    const mailbox = await this.read((reads) => reads.getMailboxById(mailboxId));
    const cached = this.flagLists.get(mailboxId);
    if (mailbox === null) {
      this.flagLists.delete(mailboxId);
    } else if (cached !== undefined && cached.highestModseq === mailbox.highestModseq) {
      // Most recently used last.
      this.flagLists.delete(mailboxId);
      this.flagLists.set(mailboxId, cached);
      return copyFlagList(cached.list);
    }
    const list = await this.read((reads) => reads.listMessageFlags(mailboxId));
    if (mailbox !== null && list.uids.length >= this.flagListCacheMin) {
      this.flagLists.delete(mailboxId);
      this.flagLists.set(mailboxId, { highestModseq: mailbox.highestModseq, list: copyFlagList(list) });
      while (this.flagLists.size > FLAG_LIST_CACHE_MAILBOXES) {
        const oldest = this.flagLists.keys().next().value;
        if (oldest === undefined) break;
        this.flagLists.delete(oldest);
      }
    } else {
      this.flagLists.delete(mailboxId);
    }
    return list;
  }

  expungedSince(mailboxId: number, modseq: number): Promise<ExpungedSince> {
    return this.read((reads) => reads.expungedSince(mailboxId, modseq));
  }

  claimRecent(mailboxId: number, uid: number): Promise<number> {
    return this.write('claimRecent', [mailboxId, uid]);
  }

  recentMark(mailboxId: number): Promise<number> {
    return this.read((reads) => reads.recentMark(mailboxId));
  }

  readBody(bodyHash: string): Promise<Buffer> {
    return this.read((reads) => reads.readBody(bodyHash));
  }

  readStructure(bodyHash: string): Promise<string | null> {
    return this.read((reads) => reads.readStructure(bodyHash));
  }

  searchMessages(query: MessageQuery): Promise<MessagePage> {
    if (query.terms.length > MAX_QUERY_TERMS) {
      return Promise.reject(new StoreError('INVALID', `a search may have at most ${MAX_QUERY_TERMS} terms`));
    }
    return this.read((reads) => reads.searchMessages(query));
  }

  catcherKeywords(mailboxIds?: readonly number[]): Promise<string[]> {
    return this.read((reads) => reads.catcherKeywords(mailboxIds));
  }

  caughtGroup(mailboxId: number, uid: number, mailboxIds?: readonly number[]): Promise<CaughtGroup | null> {
    return this.read((reads) => reads.caughtGroup(mailboxId, uid, mailboxIds));
  }

  async indexMissingBodies(): Promise<number> {
    if (!this.indexBody) return 0;
    let after = '';
    let indexed = 0;
    for (;;) {
      if (this.closing !== null) return indexed;
      const hashes = await this.read((reads) => reads.unindexedBodies(after, INDEX_BATCH));
      if (hashes.length === 0) return indexed;
      after = hashes[hashes.length - 1]!;
      const entries: Array<{ hash: string; body: IndexedBody }> = [];
      for (const hash of hashes) {
        // A body removed since the list was read is simply skipped.
        const raw = await this.readBody(hash).catch(() => null);
        const body = raw === null ? null : this.index(raw);
        if (body !== null) entries.push({ hash, body });
      }
      if (entries.length > 0) indexed += await this.write('indexBodies', [entries]);
    }
  }

  searchIndexedText(
    mailboxId: number,
    term: string,
    scope: 'body' | 'text' = 'body',
  ): Promise<IndexedTextMatch | null> {
    return this.read((reads) => reads.indexedTextMatch(mailboxId, term, scope));
  }

  async indexMailboxBodies(mailboxId: number, limit: number): Promise<number> {
    if (!this.indexBody || limit <= 0) return 0;
    const hashes = await this.read((reads) => reads.unindexedBodiesIn(mailboxId, limit));
    let indexed = 0;
    for (let start = 0; start < hashes.length; start += INDEX_BATCH) {
      if (this.closing !== null) return indexed;
      const entries: Array<{ hash: string; body: IndexedBody }> = [];
      for (const hash of hashes.slice(start, start + INDEX_BATCH)) {
        // A body removed since the list was read is simply skipped.
        const raw = await this.readBody(hash).catch(() => null);
        const body = raw === null ? null : this.index(raw);
        if (body !== null) entries.push({ hash, body });
      }
      if (entries.length > 0) indexed += await this.write('indexBodies', [entries]);
    }
    return indexed;
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
    return this.backend.watch(mailboxId, listener);
  }

  // ---- outbound queue -------------------------------------------------------------------------

  listOutbound(): Promise<OutboundEntry[]> {
    return this.read((reads) => reads.listOutbound());
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
    return this.read((reads) => reads.getDkimKey(domain));
  }

  // ---- Sieve scripts and vacation replies -----------------------------------------------------

  listSieveScripts(userId: number): Promise<SieveScriptInfo[]> {
    return this.read((reads) => reads.listSieveScripts(userId));
  }

  getSieveScript(userId: number, name: string): Promise<string | null> {
    return this.read((reads) => reads.getSieveScript(userId, name));
  }

  allSieveScripts(userId: number): Promise<Map<string, string>> {
    return this.read((reads) => reads.allSieveScripts(userId));
  }

  activeSieveScript(userId: number): Promise<ActiveSieveScript | null> {
    return this.read((reads) => reads.activeSieveScript(userId));
  }

  putSieveScript(userId: number, name: string, content: string): Promise<void> {
    try {
      checkScript(name, content);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.write('putSieveScript', [userId, name, content, Date.now()]);
  }

  deleteSieveScript(userId: number, name: string): Promise<void> {
    return this.write('deleteSieveScript', [userId, name]);
  }

  renameSieveScript(userId: number, from: string, to: string): Promise<void> {
    try {
      checkScriptName(to);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.write('renameSieveScript', [userId, from, to]);
  }

  activateSieveScript(userId: number, name: string | null): Promise<void> {
    return this.write('activateSieveScript', [userId, name]);
  }

  claimVacationReply(
    userId: number,
    handle: string,
    sender: string,
    days: number,
    now: number = Date.now(),
  ): Promise<boolean> {
    return this.write('claimVacationReply', [userId, handle, sender.toLowerCase(), days, now]);
  }

  // ---- maildrop locks -------------------------------------------------------------------------

  lockMaildrop(userId: number, owner: string): Promise<boolean> {
    return this.guard(() => this.locks.lock(userId, owner));
  }

  unlockMaildrop(userId: number, owner: string): Promise<void> {
    return this.guard(() => this.locks.unlock(userId, owner));
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  backup(file: string): Promise<void> {
    return this.guard(() => this.backend.backup(file));
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await this.backend.drained();
    try {
      await this.locks.releaseAll();
    } catch (error) {
      // The backend frees a dead holder's locks (stale heartbeat, closed session); closing goes on.
      this.warn(error, 'releasing maildrop locks at close failed');
    }
    await this.backend.close();
  }

  // ---- internals ------------------------------------------------------------------------------

  private indexForDelivery(raw: Buffer): IndexedBody | null {
    return this.indexAtDelivery ? this.index(raw) : null;
  }

  private index(raw: Buffer): IndexedBody | null {
    if (!this.indexBody) return null;
    try {
      return this.indexBody(raw);
    } catch (error) {
      this.warn(error, 'indexBody threw; body stored without a search entry');
      return null;
    }
  }

  /** The body's sort keys from the hook (null without one, or when it throws or returns no JSON). */
  private sortKeysFor(raw: Buffer): string | null {
    if (!this.sortKeysOf) return null;
    try {
      const text = this.sortKeysOf(raw);
      JSON.parse(text);
      return text;
    } catch (error) {
      this.warn(error, 'sortKeysOf failed; body stored without sort keys');
      return null;
    }
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

  // ---- recorded conversations (docs/adr/0035) ---------------------------------------------------

  writeTranscripts(batch: TranscriptBatch): Promise<TranscriptWriteResult> {
    return this.guard(() => this.backend.transcripts.write(batch));
  }

  listTranscripts(filter: TranscriptFilter): Promise<TranscriptSummary[]> {
    return this.guard(() => this.backend.transcripts.list(filter, TRANSCRIPT_LIST_LIMIT));
  }

  getTranscript(id: string): Promise<StoredTranscript | null> {
    return this.guard(() => this.backend.transcripts.get(id));
  }

  transcriptJourney(
    copies: ReadonlyArray<{ mailboxId: number; uid: number }>,
  ): Promise<TranscriptJourneyStep[]> {
    return this.guard(() => this.backend.transcripts.journey(copies));
  }

  transcriptStats(): Promise<TranscriptStats> {
    return this.guard(() => this.backend.transcripts.stats());
  }

  transcriptChanges(after: number, exceptOrigin: string): Promise<TranscriptChanges> {
    return this.guard(() => this.backend.transcripts.changes(after, exceptOrigin));
  }

  watchTranscripts(listener: () => void): () => void {
    return this.backend.transcripts.watch(listener);
  }

  protected write<K extends WriteOpName>(name: K, args: WriteOpArgs<K>): Promise<WriteOpResult<K>> {
    // TEMPORARY: a write racing shutdown should be retried by the client (SMTP 451), not bounced.
    if (this.closing !== null) return Promise.reject(new StoreError('TEMPORARY', 'store is closed'));
    return this.backend.write(name, args);
  }

  private read<T>(fn: (reads: StoreBackend['reads']) => Promise<T>): Promise<T> {
    return this.guard(() => fn(this.backend.reads));
  }

  private guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      this.ensureOpen();
      return fn();
    } catch (error) {
      return Promise.reject(error);
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

  protected warn(error: unknown, message: string): void {
    warnOf(this.logger, error, message);
  }
}

/** Logs a background failure; without a logger it still must not vanish. */
export function warnOf(logger: StoreLogger | undefined, error: unknown, message: string): void {
  if (logger !== undefined) logger.warn({ err: error }, message);
  else
    process.emitWarning(
      `@minimail/store: ${message}: ${error instanceof Error ? error.message : String(error)}`,
    );
}

/** Mailboxes with at least this many messages have their lean list kept (smaller ones read fast). */
const FLAG_LIST_CACHE_MIN_MESSAGES = 5_000;
/** Lean lists kept at once: ~2.4 MB each per 100,000 messages. */
const FLAG_LIST_CACHE_MAILBOXES = 8;
/** Big mailboxes whose sort-key list is kept (~15-25 MB per 100,000 messages, docs/adr/0037). */
const SORT_KEY_CACHE_MAILBOXES = 2;

function copyFlagList(list: MessageFlagList): MessageFlagList {
  return { uids: list.uids.slice(), flags: list.flags.slice(), modseqs: list.modseqs.slice() };
}
