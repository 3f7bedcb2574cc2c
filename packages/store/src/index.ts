export * from './core/types.js';
export type {
  AccountStore,
  CatcherSearchStore,
  ChangeFeedStore,
  DeliveryStore,
  DkimKeyStore,
  ImapStore,
  MailboxAccess,
  MailStore,
  MaildropLockStore,
  OutboundQueueStore,
  RelayStore,
  SieveScriptStore,
  SmtpStore,
  StoreLifecycle,
  TranscriptStore,
} from './core/interfaces.js';
export type { StoreLogger } from './core/backend.js';
export { hashPassword, verifyPasswordHash } from './core/password.js';
export { openStore, SqliteMailStore, type OpenStoreOptions } from './backends/sqlite/sqlite-store.js';
export { LATEST_SCHEMA_VERSION } from './backends/sqlite/migrations/index.js';
export { restoreDatabase as restoreStore, verifyStoreFile } from './backends/sqlite/backup.js';
export {
  openPostgresStore,
  migratePostgresDatabase,
  PostgresMailStore,
  type OpenPostgresStoreOptions,
} from './backends/postgres/postgres-store.js';
export { PG_LATEST_SCHEMA_VERSION } from './backends/postgres/migrations/index.js';
export { openMailStore, isPostgresUrl, type StoreLocation, type PostgresSettings } from './open.js';
export { CoreMailStore, type CoreStoreOptions } from './core/mail-store.js';
export { copyStore, type CopyEndpoint, type CopyReport } from './copy/copy-store.js';
export { DATA_TABLES, type DataTable } from './core/data-tables.js';
export { fitsQuota, isQuotaFull, quotaPercent, DEFAULT_QUOTA_WARNING_PERCENT } from './core/quotas.js';
export {
  checkScriptName,
  MAX_SIEVE_SCRIPTS,
  MAX_SIEVE_SCRIPT_BYTES,
  type ActiveSieveScript,
  type SieveScriptInfo,
} from './core/sieve-scripts.js';
export type * from './core/search-types.js';
export { MAX_PAGE_SIZE as SEARCH_MAX_PAGE_SIZE, MAX_QUERY_TERMS } from './core/limits.js';
export type * from './core/transcripts.js';
