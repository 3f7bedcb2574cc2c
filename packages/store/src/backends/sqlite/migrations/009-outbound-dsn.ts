import type { Migration } from './migration.js';

/**
 * RFC 3461 DSN parameters kept with each queue entry (NOTIFY, ORCPT, RET, ENVID as JSON; null:
 * none). Issue 19, numbered after 010-sieve (the lead renumbers at merge); its version is its
 * position in MIGRATIONS.
 */
export const migration009OutboundDsn: Migration = {
  version: 9,
  name: 'outbound-dsn',
  up(db) {
    db.exec('ALTER TABLE outbound ADD COLUMN dsn TEXT');
  },
};
