import { readFileSync } from 'node:fs';
import { bodyHooks } from '@minimail/imap/sort-keys';
import {
  openPostgresStore,
  openStore,
  type MailStore,
  type PostgresSettings,
  type StoreLogger,
} from '@minimail/store';
import { indexBody } from '@minimail/http/index-body';
import type { Config } from './config.js';
import { storePath } from './paths.js';

/**
 * The MIME structure of every body is computed once, when it is stored (IMAP FETCH then reads it
 * instead of re-parsing), through the store's describeBody hook, so that the store itself stays
 * free of MIME knowledge; so are its IMAP SORT/THREAD keys (sortKeysOf, docs/adr/0037). Both
 * hooks share one parse of each message.
 */
const { describeBody, sortKeysOf } = bodyHooks();

export interface AppStoreOptions {
  logger?: StoreLogger;
  writer?: 'inline' | 'thread';
  quotaWarningPercent?: number;
  /**
   * Write the mail catcher's search index with each delivery (docs/adr/0017). Default true. The
   * server turns it off in production, where the catcher is never served (docs/adr/0033): the
   * index is then never read, and writing it doubled the cost of a delivery. Mail stored without
   * it is indexed when a dev catcher starts on the same data (indexMissingBodies). The hook is
   * passed either way: IMAP SEARCH BODY indexes the bodies it needs lazily (docs/adr/0036).
   */
  catcherIndex?: boolean;
}

/** The SQLite store in `dataDir` (backup, restore and the bench work on the file). */
export function openAppStore(dataDir: string, options: AppStoreOptions = {}): MailStore {
  const { catcherIndex = true, ...rest } = options;
  // indexBody: the mail catcher's search index (docs/adr/0017), from @minimail/http's light
  // `index-body` entry, which loads no web framework.
  return openStore({
    path: storePath(dataDir),
    describeBody,
    sortKeysOf,
    indexBody,
    indexAtDelivery: catcherIndex,
    ...rest,
  });
}

/** Whether deliveries write the catcher's search index: only where the catcher can be served (dev). */
export function writesCatcherIndex(config: Pick<Config, 'profile'>): boolean {
  return config.profile === 'dev';
}

/** The configured PostgreSQL connection settings, or null when the store is SQLite. */
export function postgresSettingsOf(config: Config): PostgresSettings | null {
  if (config.databaseUrl === undefined) return null;
  const settings: PostgresSettings = {
    url: config.databaseUrl,
    poolSize: config.databasePoolSize,
    statementTimeoutMs: config.databaseStatementTimeout,
  };
  if (config.databaseCa !== undefined) settings.ssl = { ca: readFileSync(config.databaseCa, 'utf8') };
  else if (config.databaseTls) settings.ssl = true;
  return settings;
}

/**
 * The app's one way to open the configured store: MINIMAIL_DATABASE_URL (`databaseUrl`) set means
 * the PostgreSQL backend (migrated at open), unset means SQLite in the data dir, as before.
 */
export async function openConfiguredStore(
  config: Config,
  options: { logger?: StoreLogger; writer?: 'inline' | 'thread' } = {},
): Promise<MailStore> {
  const postgres = postgresSettingsOf(config);
  const quotaWarningPercent = config.quotaWarning;
  const catcherIndex = writesCatcherIndex(config);
  if (postgres === null)
    return openAppStore(config.dataDir, { ...options, quotaWarningPercent, catcherIndex });
  return openPostgresStore({
    ...postgres,
    describeBody,
    sortKeysOf,
    quotaWarningPercent,
    indexBody,
    indexAtDelivery: catcherIndex,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
}
