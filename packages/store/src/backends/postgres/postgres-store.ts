import pg from 'pg';
import type { StoreBackend, TranscriptBackend } from '../../core/backend.js';
import { CoreMailStore, warnOf, type CoreStoreOptions } from '../../core/mail-store.js';
import { StoreError, type ChangeListener } from '../../core/types.js';
import {
  applyAsyncOp,
  type WriteOpArgs,
  type WriteOpName,
  type WriteOpResult,
} from '../../core/write-ops.js';
import { PgChangeFeed } from './change-feed.js';
import { clientConfig, createPool, type PostgresSettings } from './connection.js';
import { toStoreError } from './errors.js';
import { PgAdvisoryLocks } from './locks.js';
import { migratePostgres } from './migrations/index.js';
import { PG_WRITE_OPS } from './ops.js';
import { postgresReads } from './reads.js';
import { PgWriteQueue } from './write-queue.js';
import { postgresTranscripts } from './transcripts.js';

export interface OpenPostgresStoreOptions extends CoreStoreOptions, PostgresSettings {
  /** Apply pending migrations at open (default true; `minimail migrate` runs them explicitly). */
  migrate?: boolean;
}

/**
 * The PostgreSQL backend (docs/adr/0015): several minimail nodes on one database. Reads on a
 * pool; writes grouped into one transaction per batch (write-queue.ts), acknowledged after COMMIT
 * with synchronous_commit=on; the change feed through LISTEN/NOTIFY; maildrop locks as advisory
 * locks; outbound claims with FOR UPDATE SKIP LOCKED.
 */
export class PostgresBackend implements StoreBackend {
  readonly reads;
  readonly locks: PgAdvisoryLocks;
  readonly transcripts: TranscriptBackend;
  private readonly queue: PgWriteQueue;
  private readonly feed: PgChangeFeed;

  constructor(
    private readonly pool: pg.Pool,
    settings: PostgresSettings,
    warn: (error: unknown, message: string) => void,
  ) {
    this.reads = postgresReads(pool);
    this.feed = new PgChangeFeed(settings, pool, warn);
    this.locks = new PgAdvisoryLocks(settings, pool, warn);
    this.transcripts = postgresTranscripts(pool, (listener) => this.feed.watchTranscripts(listener));
    this.queue = new PgWriteQueue(pool, (maxId) =>
      this.feed.committed(maxId).catch((error: unknown) => warn(error, 'reading the change feed failed')),
    );
  }

  async start(): Promise<void> {
    await this.feed.start();
  }

  get commitCount(): number {
    return this.queue.commitCount;
  }

  write<K extends WriteOpName>(name: K, args: WriteOpArgs<K>): Promise<WriteOpResult<K>> {
    return this.queue.run((tx) => applyAsyncOp(PG_WRITE_OPS, tx, name, args));
  }

  watch(mailboxId: number, listener: ChangeListener): () => void {
    return this.feed.watch(mailboxId, listener);
  }

  backup(): Promise<void> {
    return Promise.reject(
      new StoreError(
        'INVALID',
        'a PostgreSQL store is backed up by PostgreSQL (pg_dump, base backups, replicas)',
      ),
    );
  }

  drained(): Promise<void> {
    return this.queue.drained();
  }

  async close(): Promise<void> {
    await this.feed.close();
    await this.locks.close();
    await this.pool.end();
  }
}

/** The MailStore on PostgreSQL: the core's rules over the PostgreSQL backend. */
export class PostgresMailStore extends CoreMailStore {}

/** Runs the PostgreSQL migrations on `settings.url` (what `minimail migrate` does); returns the versions applied. */
export async function migratePostgresDatabase(settings: PostgresSettings): Promise<number[]> {
  const client = new pg.Client(clientConfig(settings));
  try {
    await client.connect();
    return await migratePostgres(client);
  } catch (error) {
    throw toStoreError(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Connects, migrates (unless told not to), starts the change feed, and returns the store. */
export async function openPostgresStore(options: OpenPostgresStoreOptions): Promise<PostgresMailStore> {
  if (options.migrate !== false) await migratePostgresDatabase(options);
  const pool = createPool(options);
  // An idle pooled connection that dies (server restart) must not crash the process.
  pool.on('error', (error) => warnOf(options.logger, error, 'idle PostgreSQL connection failed'));
  const backend = new PostgresBackend(pool, options, (error, message) =>
    warnOf(options.logger, error, message),
  );
  try {
    await backend.start();
  } catch (error) {
    await backend.close().catch(() => undefined);
    throw toStoreError(error);
  }
  return new PostgresMailStore(backend, options);
}
