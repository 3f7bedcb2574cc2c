import { closeSync, fsyncSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import type { SqliteDatabase } from './db.js';
import { toStoreError } from './errors.js';
import { LATEST_SCHEMA_VERSION, schemaVersion } from './migrations/index.js';
import { StoreError } from '../../core/types.js';

/**
 * Online backup and offline restore of the SQLite file (docs: "minimail backup FILE").
 *
 * Backup uses SQLite's online backup API (better-sqlite3 `db.backup`) while servers keep writing.
 * The whole copy is made in ONE backup step: a step runs inside one read transaction, so the copy
 * is exactly the database as of that moment (WAL readers never block writers, so servers in other
 * processes keep committing meanwhile). Copying in small steps would let another process's commit
 * restart the backup over and over under load. Every message whose 250/OK was sent before the
 * step began is in the copy, because acknowledgements follow the commit (group commit).
 */

/** Pages per backup step: all of them, see above (better-sqlite3 clamps to this maximum). */
const ALL_PAGES = 0x7fffffff;

/** Suffix of the partial file a backup or restore writes before renaming it into place. */
const PARTIAL_SUFFIX = '.partial';

/**
 * Copies the open database to `file` (replaced if it exists). The copy is written next to `file`
 * and renamed into place only once complete and checked, so a failed backup never leaves a
 * truncated file under the name the operator asked for.
 */
export async function backupDatabase(db: SqliteDatabase, file: string): Promise<void> {
  const partial = file + PARTIAL_SUFFIX;
  rmSync(partial, { force: true });
  try {
    await db.backup(partial, { progress: () => ALL_PAGES });
    makeSelfContained(partial);
    verifyStoreFile(partial);
    fsyncFile(partial);
    renameSync(partial, file);
    fsyncFile(dirname(file));
  } catch (error) {
    rmSync(partial, { force: true });
    throw asBackupError(error, `backup to ${file} failed`);
  }
}

/**
 * The copy inherits WAL mode from the live file; a backup should be ONE file that can be moved
 * around, so switch it to a rollback journal (restore and the next open turn WAL back on).
 */
function makeSelfContained(file: string): void {
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma('journal_mode = DELETE');
  } finally {
    db.close();
  }
}

/**
 * Checks that `file` is a minimail store this version can open: `PRAGMA integrity_check` is clean
 * and its schema is not newer than ours. Throws INVALID naming the problem.
 */
export function verifyStoreFile(file: string): void {
  let db: SqliteDatabase;
  try {
    statSync(file);
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new StoreError('INVALID', `${file}: cannot open as an SQLite database`, { cause: error });
  }
  try {
    const result = db.pragma('integrity_check', { simple: true });
    if (result !== 'ok')
      throw new StoreError('INVALID', `${file}: integrity check failed: ${String(result)}`);
    const version = schemaVersion(db);
    if (version === 0) throw new StoreError('INVALID', `${file}: not a minimail store (no schema)`);
    if (version > LATEST_SCHEMA_VERSION) {
      throw new StoreError(
        'INVALID',
        `${file}: schema version ${version} is newer than this minimail (${LATEST_SCHEMA_VERSION})`,
      );
    }
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw new StoreError('INVALID', `${file}: not a readable minimail store`, { cause: error });
  } finally {
    db.close();
  }
}

/**
 * Replaces the store at `storePath` with the backup `file`, offline: refuses with LOCKED while any
 * other connection (a running server, another CLI) has the store open. The old file is kept beside
 * it as `<store>.before-restore` so a mistaken restore can be undone by hand.
 *
 * How "in use" is detected: leaving WAL mode needs the only connection to the file, so
 * `PRAGMA journal_mode = DELETE` fails (SQLITE_BUSY, no waiting) while a server has it open. It
 * also checkpoints the WAL into the main file, so the kept old copy is complete on its own.
 */
export function restoreDatabase(file: string, storePath: string): { previous: string | null } {
  verifyStoreFile(file);
  let previous: string | null = null;
  if (exists(storePath)) {
    assertNotInUse(storePath);
    previous = storePath + '.before-restore';
    rmSync(previous, { force: true });
    renameSync(storePath, previous);
  }
  // Stale WAL/SHM files beside the store would be replayed over the restored file: remove them.
  rmSync(storePath + '-wal', { force: true });
  rmSync(storePath + '-shm', { force: true });
  const partial = join(dirname(storePath), `.restore-${process.pid}${PARTIAL_SUFFIX}`);
  try {
    copyDatabase(file, partial);
    fsyncFile(partial);
    renameSync(partial, storePath);
    fsyncFile(dirname(storePath));
  } catch (error) {
    rmSync(partial, { force: true });
    throw asBackupError(error, `restore of ${file} failed`);
  }
  return { previous };
}

function assertNotInUse(storePath: string): void {
  let db: SqliteDatabase;
  try {
    db = new Database(storePath, { fileMustExist: true, timeout: 0 });
  } catch (error) {
    throw toStoreError(error);
  }
  try {
    const mode = db.pragma('journal_mode = DELETE', { simple: true });
    if (mode !== 'delete') throw new Error(`journal mode stayed ${String(mode)}`);
  } catch (error) {
    throw new StoreError(
      'LOCKED',
      `${storePath} is in use (is a minimail server running?): stop it before restoring`,
      { cause: error },
    );
  } finally {
    db.close();
  }
}

/** A byte-exact, self-contained copy through SQLite (the source's WAL, if any, is included). */
function copyDatabase(source: string, destination: string): void {
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    // VACUUM INTO writes a complete, consistent database file (and works from a read-only handle).
    db.prepare('VACUUM INTO ?').run(destination);
  } finally {
    db.close();
  }
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** fsync a file or directory, so a rename survives a power cut (the durability promise). */
function fsyncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function asBackupError(error: unknown, message: string): StoreError {
  if (error instanceof StoreError) return error;
  const converted = toStoreError(error);
  return new StoreError(converted.code, `${message}: ${converted.message}`, { cause: error });
}
