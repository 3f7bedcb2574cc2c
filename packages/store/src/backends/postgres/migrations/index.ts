import { StoreError } from '../../../core/types.js';
import type { Queryable } from '../connection.js';
import { migration001Schema } from './001-schema.js';
import { migration002Subscriptions } from './002-subscriptions.js';
import { migration003Search } from './003-search.js';
import { migration004SaveDate } from './004-save-date.js';
import { migration005Sieve } from './005-sieve.js';
import { migration006OutboundDsn } from './006-outbound-dsn.js';
import { migration007QresyncHistory } from './007-qresync-history.js';
import { migration008AppPasswords } from './008-app-passwords.js';
import { migration009Quotas } from './009-quotas.js';
import { migration010Transcripts } from './010-transcripts.js';
import { migration011SearchHeaders } from './011-search-headers.js';
import { migration012SortKeys } from './012-sort-keys.js';
import type { PostgresMigration } from './migration.js';

/** Every migration, in order. Append only: never edit or reorder a released one. */
export const PG_MIGRATIONS: readonly PostgresMigration[] = [
  migration001Schema,
  migration002Subscriptions,
  migration003Search,
  migration004SaveDate,
  migration005Sieve,
  migration006OutboundDsn,
  migration007QresyncHistory,
  migration008AppPasswords,
  migration009Quotas,
  migration010Transcripts,
  migration011SearchHeaders,
  migration012SortKeys,
];
export const PG_LATEST_SCHEMA_VERSION = PG_MIGRATIONS.length;

/** Advisory lock key that serializes migrations across nodes starting at once ('MMIG'). */
const MIGRATION_LOCK = 0x4d4d4947;

/** The applied version (0 for an empty database). */
export async function pgSchemaVersion(client: Queryable): Promise<number> {
  const exists = await client.query<{ present: boolean }>(
    "SELECT to_regclass('minimail_schema') IS NOT NULL AS present",
  );
  if (exists.rows[0]?.present !== true) return 0;
  const row = await client.query<{ version: number | null }>(
    'SELECT MAX(version) AS version FROM minimail_schema',
  );
  return Number(row.rows[0]?.version ?? 0);
}

/**
 * Applies, on one connection (not a pool: its transactions and lock are per session), every migration above the database's version, each in its own transaction, under an
 * advisory lock so two nodes starting on a fresh database do not both migrate. A database newer
 * than this code is refused. Returns the versions applied.
 */
export async function migratePostgres(client: Queryable): Promise<number[]> {
  const applied: number[] = [];
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    await client.query(
      `CREATE TABLE IF NOT EXISTS minimail_schema (
         version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const current = await pgSchemaVersion(client);
    if (current > PG_LATEST_SCHEMA_VERSION) {
      throw new StoreError(
        'INVALID',
        `database schema version ${current} is newer than this minimail supports (${PG_LATEST_SCHEMA_VERSION}); upgrade minimail`,
      );
    }
    for (const migration of PG_MIGRATIONS) {
      if (migration.version <= current) continue;
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO minimail_schema (version, name) VALUES ($1, $2)', [
          migration.version,
          migration.name,
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
      applied.push(migration.version);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
  }
  return applied;
}
