import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from './db.js';
import { WalSync } from './wal-sync.js';
import { TempStores } from '../../test-support/temp-store.js';

describe('WalSync: fdatasync of the WAL, coalesced', () => {
  const temps: TempStores[] = [];
  afterEach(() => {
    for (const temp of temps.splice(0)) temp.cleanup();
  });

  function openWal(): { db: Database.Database; wal: WalSync; path: string } {
    const temp = new TempStores();
    temps.push(temp);
    const path = join(temp.dir, 'wal.sqlite');
    const db = openDatabase(path);
    db.exec('CREATE TABLE t (v INTEGER)');
    return { db, wal: new WalSync(path), path };
  }

  it('opens with synchronous=NORMAL in WAL mode: the COMMIT leaves the fsync to WalSync', () => {
    const { db, wal, path } = openWal();
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
    // Savepoint journals in memory, not in temp files (db.ts).
    expect(db.pragma('temp_store', { simple: true })).toBe(2);
    expect(existsSync(`${path}-wal`)).toBe(true);
    wal.close();
    db.close();
  });

  it('syncs the WAL; callers arriving during a sync share the next one', async () => {
    const { db, wal } = openWal();
    db.prepare('INSERT INTO t VALUES (1)').run();
    const first = wal.sync();
    const second = wal.sync();
    const third = wal.sync();
    // The second and third callers may have committed after the first sync began: they share
    // the next one, so they are not the first's promise but one and the same promise.
    expect(second).not.toBe(first);
    expect(third).toBe(second);
    await Promise.all([first, second, third]);
    // Idle again: a new caller starts a fresh sync.
    const fourth = wal.sync();
    expect(fourth).not.toBe(second);
    await fourth;
    wal.close();
    db.close();
  });

  it('rejects when the WAL cannot be opened, instead of calling the write durable', async () => {
    const { db, wal, path } = openWal();
    wal.close();
    db.close(); // the last connection deletes the WAL on close
    expect(existsSync(`${path}-wal`)).toBe(false);
    await expect(new WalSync(path).sync()).rejects.toMatchObject({ code: 'ENOENT' });
    // The writer thread's synchronous variant fails the same way: a rejection, never a throw.
    const here = new WalSync(path).syncHere();
    await expect(here).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('syncs on the calling thread with syncHere, and resolves once done', async () => {
    const { db, wal } = openWal();
    db.exec('INSERT INTO t VALUES (1)');
    await expect(wal.syncHere()).resolves.toBeUndefined();
    wal.close();
    db.close();
  });
});
