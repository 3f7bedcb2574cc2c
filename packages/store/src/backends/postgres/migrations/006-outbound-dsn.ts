import type { PostgresMigration } from './migration.js';

/**
 * RFC 3461 DSN parameters kept with each queue entry, as in the SQLite backend's `outbound-dsn`.
 * Issue 19, numbered after 007-sieve (the lead renumbers at merge); its version is its position.
 */
export const migration006OutboundDsn: PostgresMigration = {
  version: 6,
  name: 'outbound-dsn',
  sql: 'ALTER TABLE outbound ADD COLUMN dsn text',
};
