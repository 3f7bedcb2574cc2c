import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { DataRow, DataTable, TableReader, TableWriter } from '../core/data-tables.js';
import { DATA_TABLES } from '../core/data-tables.js';
import { StoreError } from '../core/types.js';
import { openDatabase } from '../backends/sqlite/db.js';
import { migrate } from '../backends/sqlite/migrations/index.js';

/** Reads a SQLite store file in one read transaction (a consistent snapshot, also while servers write). */
export function sqliteTableReader(path: string): TableReader {
  if (!existsSync(path)) throw new StoreError('NOT_FOUND', `${path}: no such store file`);
  const db = new Database(path, { readonly: true, fileMustExist: true });
  db.exec('BEGIN');
  return {
    rows: (table, columns, afterKey, limit) => {
      const key = columns[0]!;
      const where = afterKey === null ? '' : `WHERE ${key} > ?`;
      const statement = db.prepare(
        `SELECT ${columns.join(', ')} FROM ${table} ${where} ORDER BY ${key} LIMIT ?`,
      );
      const rows = (afterKey === null ? statement.all(limit) : statement.all(afterKey, limit)) as DataRow[];
      return Promise.resolve(rows);
    },
    close: () => {
      db.exec('COMMIT');
      db.close();
      return Promise.resolve();
    },
  };
}

/**
 * Writes into a SQLite store file (created and migrated if absent) in one transaction, committed
 * with synchronous=FULL. Explicit ids also move SQLite's AUTOINCREMENT counters past them.
 */
export function sqliteTableWriter(path: string): TableWriter {
  const db = openDatabase(path);
  migrate(db);
  db.pragma('synchronous = FULL');
  db.exec('BEGIN IMMEDIATE');
  return {
    isEmpty: () => {
      const used = DATA_TABLES.filter((table) => table !== 'meta').some(
        (table) => db.prepare(`SELECT 1 FROM ${table} LIMIT 1`).get() !== undefined,
      );
      return Promise.resolve(!used);
    },
    insert: (table: DataTable, rows: DataRow[]) => {
      const first = rows[0];
      if (first === undefined) return Promise.resolve();
      const columns = Object.keys(first);
      const statement = db.prepare(
        `INSERT OR REPLACE INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
      );
      for (const row of rows) statement.run(...columns.map((column) => row[column]));
      return Promise.resolve();
    },
    commit: () => {
      db.exec('COMMIT');
      db.close();
      return Promise.resolve();
    },
    abort: () => {
      if (db.inTransaction) db.exec('ROLLBACK');
      db.close();
      return Promise.resolve();
    },
  };
}
