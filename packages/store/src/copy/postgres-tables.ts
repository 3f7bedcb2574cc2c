import pg from 'pg';
import type { DataRow, DataTable, TableReader, TableWriter } from '../core/data-tables.js';
import { DATA_TABLES } from '../core/data-tables.js';
import { clientConfig, type PostgresSettings } from '../backends/postgres/connection.js';
import { migratePostgres } from '../backends/postgres/migrations/index.js';

/** Tables whose key is an identity column (their counters move past the copied ids). */
const IDENTITY_TABLES: readonly DataTable[] = [
  'domains',
  'users',
  'aliases',
  'mailboxes',
  'subscriptions',
  'messages',
  'expunged_uids',
  'outbound',
  'sieve_scripts',
  'sieve_vacation_replies',
];

/** Reads a PostgreSQL store in one REPEATABLE READ transaction (one snapshot, also while nodes write). */
export async function postgresTableReader(settings: PostgresSettings): Promise<TableReader> {
  const client = new pg.Client(clientConfig(settings));
  await client.connect();
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  return {
    rows: async (table, columns, afterKey, limit) => {
      // Text keys in byte order, as SQLite compares them, whatever the database's collation.
      const key = columns[0] === 'id' ? 'id' : `"${columns[0]!}" COLLATE "C"`;
      const quoted = columns.map((column) => `"${column}"`).join(', ');
      const result =
        afterKey === null
          ? await client.query(`SELECT ${quoted} FROM ${table} ORDER BY ${key} LIMIT $1`, [limit])
          : await client.query(`SELECT ${quoted} FROM ${table} WHERE ${key} > $1 ORDER BY ${key} LIMIT $2`, [
              afterKey,
              limit,
            ]);
      return result.rows as DataRow[];
    },
    close: async () => {
      await client.query('COMMIT').catch(() => undefined);
      await client.end();
    },
  };
}

/** Writes into a PostgreSQL database (migrated first) in one transaction, synchronous_commit=on. */
export async function postgresTableWriter(settings: PostgresSettings): Promise<TableWriter> {
  const client = new pg.Client(clientConfig(settings));
  await client.connect();
  await migratePostgres(client);
  await client.query('BEGIN');
  return {
    isEmpty: async () => {
      for (const table of DATA_TABLES) {
        if (table === 'meta') continue;
        if (((await client.query(`SELECT 1 FROM ${table} LIMIT 1`)).rowCount ?? 0) > 0) return false;
      }
      return true;
    },
    insert: async (table, rows) => {
      const first = rows[0];
      if (first === undefined) return;
      const columns = Object.keys(first);
      // One statement per row keeps parameters far below the protocol's limit whatever the batch.
      const sql =
        `INSERT INTO ${table} (${columns.map((column) => `"${column}"`).join(', ')}) ` +
        `OVERRIDING SYSTEM VALUE VALUES (${columns.map((_, index) => `$${index + 1}`).join(', ')})` +
        (table === 'meta' ? ' ON CONFLICT (key) DO UPDATE SET value = excluded.value' : '');
      for (const row of rows)
        await client.query(
          sql,
          columns.map((column) => row[column]),
        );
    },
    commit: async () => {
      for (const table of IDENTITY_TABLES) {
        await client.query(
          `SELECT setval(pg_get_serial_sequence('${table}', 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM ${table}`,
        );
      }
      await client.query('COMMIT');
      await client.end();
    },
    abort: async () => {
      await client.query('ROLLBACK').catch(() => undefined);
      await client.end();
    },
  };
}
