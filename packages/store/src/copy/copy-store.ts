import { bodyHashOf } from '../core/body-hash.js';
import {
  DATA_COLUMNS,
  DATA_TABLES,
  VERIFIED_COLUMNS,
  type DataRow,
  type DataTable,
  type TableReader,
  type TableWriter,
} from '../core/data-tables.js';
import { StoreError } from '../core/types.js';
import type { PostgresSettings } from '../backends/postgres/connection.js';
import { toStoreError as pgError } from '../backends/postgres/errors.js';
import { postgresTableReader, postgresTableWriter } from './postgres-tables.js';
import { sqliteTableReader, sqliteTableWriter } from './sqlite-tables.js';

/** One end of a copy: a SQLite store file, or a PostgreSQL database. */
export type CopyEndpoint =
  { kind: 'sqlite'; path: string } | { kind: 'postgres'; settings: PostgresSettings };

export interface CopyReport {
  /** Rows copied (and verified) per table. */
  rows: Record<DataTable, number>;
  /** Bodies whose bytes were hashed again on the target and matched their sha256. */
  bodiesVerified: number;
}

/** Rows per read (bodies are big: fewer at a time). */
const PAGE_ROWS = 500;
const PAGE_BODIES = 20;

function openReader(endpoint: CopyEndpoint): Promise<TableReader> {
  return endpoint.kind === 'sqlite'
    ? Promise.resolve(sqliteTableReader(endpoint.path))
    : postgresTableReader(endpoint.settings);
}

function openWriter(endpoint: CopyEndpoint): Promise<TableWriter> {
  return endpoint.kind === 'sqlite'
    ? Promise.resolve(sqliteTableWriter(endpoint.path))
    : postgresTableWriter(endpoint.settings);
}

/** Every row of a table in key order, page by page. */
async function* scan(
  reader: TableReader,
  table: DataTable,
  columns: readonly string[],
): AsyncGenerator<DataRow[]> {
  const limit = table === 'bodies' ? PAGE_BODIES : PAGE_ROWS;
  let afterKey: unknown = null;
  for (;;) {
    const rows = await reader.rows(table, columns, afterKey, limit);
    if (rows.length === 0) return;
    yield rows;
    afterKey = rows[rows.length - 1]![columns[0]!];
    if (rows.length < limit) return;
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  return a === b;
}

/**
 * Copies a whole store (`minimail store copy`): domains, users, aliases, mailboxes with their
 * UIDVALIDITY and counters, messages with UIDs, flags and modseqs, bodies, the outbound queue and
 * DKIM keys, ids unchanged, so IMAP clients see the same mailboxes and need no resync. The source
 * is read in one snapshot; the target must be empty and is written in one durable transaction.
 * Then every table is read back from the target and compared row for row with the source
 * snapshot (bodies byte for byte, and hashed again); any difference fails the copy.
 * Servers should be stopped while copying: writes after the snapshot are not copied.
 */
export async function copyStore(
  from: CopyEndpoint,
  to: CopyEndpoint,
  onProgress: (table: DataTable, rows: number) => void = () => undefined,
): Promise<CopyReport> {
  try {
    return await runCopy(from, to, onProgress);
  } catch (error) {
    throw error instanceof StoreError ? error : pgError(error);
  }
}

async function runCopy(
  from: CopyEndpoint,
  to: CopyEndpoint,
  onProgress: (table: DataTable, rows: number) => void,
): Promise<CopyReport> {
  const source = await openReader(from);
  try {
    const writer = await openWriter(to);
    try {
      if (!(await writer.isEmpty()))
        throw new StoreError('INVALID', 'the target store already holds data; copy only into an empty one');
      for (const table of DATA_TABLES) {
        let count = 0;
        for await (const rows of scan(source, table, DATA_COLUMNS[table])) {
          await writer.insert(table, rows);
          count += rows.length;
          onProgress(table, count);
        }
      }
    } catch (error) {
      await writer.abort();
      throw error;
    }
    await writer.commit();
    return await verify(source, to);
  } finally {
    await source.close();
  }
}

/** Reads the target back and compares it with the source snapshot, table by table, row by row. */
async function verify(source: TableReader, to: CopyEndpoint): Promise<CopyReport> {
  const target = await openReader(to);
  const rows = {} as Record<DataTable, number>;
  let bodiesVerified = 0;
  try {
    for (const table of DATA_TABLES) {
      const columns = VERIFIED_COLUMNS[table];
      const expected = scan(source, table, columns);
      const actual = scan(target, table, columns);
      let count = 0;
      for (;;) {
        const [left, right] = await Promise.all([expected.next(), actual.next()]);
        if (left.done === true || right.done === true) {
          if (left.done !== right.done) throw mismatch(table, 'row counts differ');
          break;
        }
        if (left.value.length !== right.value.length) throw mismatch(table, 'row counts differ');
        left.value.forEach((row, index) => {
          const copy = right.value[index]!;
          for (const column of columns) {
            if (!sameValue(row[column], copy[column]))
              throw mismatch(table, `${column} differs at key ${String(row[columns[0]!])}`);
          }
          if (table === 'bodies') {
            if (bodyHashOf(copy['data'] as Buffer) !== copy['hash'])
              throw mismatch(table, `body ${String(copy['hash'])} does not hash to its name`);
            bodiesVerified += 1;
          }
        });
        count += left.value.length;
      }
      rows[table] = count;
    }
  } finally {
    await target.close();
  }
  return { rows, bodiesVerified };
}

function mismatch(table: DataTable, detail: string): StoreError {
  return new StoreError('INVALID', `copy verification failed: ${table}: ${detail}`);
}
