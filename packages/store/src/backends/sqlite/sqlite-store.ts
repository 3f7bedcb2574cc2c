import type {
  HeldLock,
  LockBackend,
  StoreBackend,
  StoreReads,
  TranscriptBackend,
} from '../../core/backend.js';
import { CoreMailStore, warnOf, type CoreStoreOptions } from '../../core/mail-store.js';
import { CHANGE_POLL_INTERVAL_MS } from '../../core/limits.js';
import type { ChangeListener } from '../../core/types.js';
import type { WriteOpArgs, WriteOpName, WriteOpResult } from '../../core/write-ops.js';
import { backupDatabase } from './backup.js';
import { ChangeFeed } from './change-feed.js';
import { openDatabase, type SqliteDatabase } from './db.js';
import { toStoreError } from './errors.js';
import { migrate } from './migrations/index.js';
import { read, sqliteReads } from './reads.js';
import { createStoreParts, type StoreParts } from './store-parts.js';
import { ThreadWriter } from './thread-writer.js';
import { WalSync } from './wal-sync.js';
import { InlineWriter, type Writer } from './writer.js';

export interface OpenStoreOptions extends CoreStoreOptions {
  /** The SQLite file; its directory is created if missing. */
  path: string;
  /** How often to look for other processes' commits (default 250 ms). */
  changePollIntervalMs?: number;
  /**
   * Where writes run: `inline` on this thread (the default: no extra thread, least memory), or
   * `thread` on a worker thread with its own connection, so that the SQL and COMMIT of a busy
   * ingest leave the event loop free for sessions (docs/adr/0013). Durability is the same.
   */
  writer?: 'inline' | 'thread';
}

/**
 * The SQLite backend: one file in WAL mode. Reads are synchronous prepared statements wrapped in
 * promises; every write goes through the group-commit WriteQueue, inline or on the writer thread,
 * and is acknowledged after the WAL's fdatasync (docs/adr/0003, 0012, 0013). Other processes on
 * the same file are noticed through `PRAGMA data_version`.
 */
export class SqliteBackend implements StoreBackend {
  readonly reads: StoreReads;
  readonly locks: LockBackend;
  readonly transcripts: TranscriptBackend;
  private readonly db: SqliteDatabase;
  private readonly writer: Writer;
  private readonly walSync: WalSync;
  private readonly feed: ChangeFeed;
  private readonly parts: StoreParts;
  private readonly pollTimer: NodeJS.Timeout;

  constructor(options: OpenStoreOptions) {
    const warn = (error: unknown, message: string): void => warnOf(options.logger, error, message);
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
    this.feed = new ChangeFeed(this.db, (error) => warn(error, 'change listener threw'));
    this.parts = createStoreParts(this.db);
    this.reads = sqliteReads(this.parts);
    const pumpFeed = (): void => {
      try {
        this.feed.pump();
      } catch (error) {
        warn(error, 'reading the change feed failed');
      }
    };
    this.writer =
      options.writer === 'thread'
        ? new ThreadWriter(options.path, pumpFeed, (error) =>
            warn(error, 'the writer thread stopped; writes fail until restart'),
          )
        : new InlineWriter(this.db, this.parts, this.walSync, pumpFeed);
    this.locks = sqliteLocks(this.writer);
    const transcripts = this.parts.transcripts;
    this.transcripts = {
      // Committed is enough: transcripts are diagnostics, and no reply waits for them.
      write: (batch) => this.writer.run('writeTranscripts', [batch], 'visible'),
      list: (filter, limit) => read(() => transcripts.list(filter, limit)),
      get: (id) => read(() => transcripts.get(id)),
      journey: (copies) => read(() => transcripts.journey(copies)),
      stats: () => read(() => transcripts.stats()),
      changes: (after, origin) => read(() => transcripts.changes(after, origin)),
      watch: (listener) => this.feed.watchTranscripts(listener),
    };
    this.pollTimer = setInterval(() => {
      try {
        this.feed.poll();
      } catch (error) {
        warn(error, 'polling the change feed failed');
      }
    }, options.changePollIntervalMs ?? CHANGE_POLL_INTERVAL_MS);
    // Background upkeep must never keep a process alive on its own.
    this.pollTimer.unref();
  }

  get commitCount(): number {
    return this.writer.commitCount;
  }

  write<K extends WriteOpName>(name: K, args: WriteOpArgs<K>): Promise<WriteOpResult<K>> {
    return this.writer.run(name, args, 'durable');
  }

  watch(mailboxId: number, listener: ChangeListener): () => void {
    return this.feed.watch(mailboxId, listener);
  }

  backup(file: string): Promise<void> {
    return backupDatabase(this.db, file);
  }

  drained(): Promise<void> {
    return this.writer.drained();
  }

  async close(): Promise<void> {
    clearInterval(this.pollTimer);
    await this.writer.close();
    this.walSync.close();
    this.db.close();
  }
}

/**
 * Maildrop locks as rows with the holder's pid, host and heartbeat (maildrop-locks.ts). Locks are
 * coordination, not mail: committed (every process sees them) is enough, and a POP3 login or QUIT
 * does not wait for an fsync. A lock lost in a power cut is simply not held; an unlock lost leaves
 * a stale lock that the next login takes over (LOCK_STALE_AFTER_MS).
 */
function sqliteLocks(writer: Writer): LockBackend {
  return {
    lock: (userId: number, owner: string) => writer.run('lockMaildrop', [userId, owner], 'visible'),
    unlock: (held: HeldLock[]) => writer.run('unlockMaildrops', [held], 'visible'),
    heartbeat: (held: HeldLock[]) => writer.run('heartbeatMaildrops', [held], 'visible'),
  };
}

/** The MailStore on one SQLite file: the core's rules over the SQLite backend. */
export class SqliteMailStore extends CoreMailStore {
  constructor(options: OpenStoreOptions) {
    super(new SqliteBackend(options), options);
  }
}

/** Opens (creating and migrating as needed) the store at `options.path`. */
export function openStore(options: OpenStoreOptions): SqliteMailStore {
  return new SqliteMailStore(options);
}
