/**
 * Issue 11, files only the server can read: the store (mail, password hashes, DKIM private keys)
 * was world-readable. A new data directory is 0700; the SQLite file, its WAL and SHM, and
 * backups are 0600, whatever the umask; an older world-readable store is tightened on open.
 */
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from './sqlite-store.js';

let root: string;
let previousUmask: number;

const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'minimail-store-modes-'));
  // The most permissive umask a careless service manager could give.
  previousUmask = process.umask(0o000);
});

afterEach(() => {
  process.umask(previousUmask);
  rmSync(root, { recursive: true, force: true });
});

describe('file modes', () => {
  it('creates the data directory 0700 and the database, WAL, SHM and backups 0600', async () => {
    const dataDir = join(root, 'data');
    const path = join(dataDir, 'minimail.sqlite');
    const store = openStore({ path });
    try {
      await store.addDomain('example.test');
      await store.addUser('a@example.test', 'secret');
      expect(mode(dataDir)).toBe('700');
      expect(mode(path)).toBe('600');
      expect(mode(`${path}-wal`)).toBe('600');
      expect(mode(`${path}-shm`)).toBe('600');
      const backup = join(root, 'backup.sqlite');
      await store.backup(backup);
      expect(mode(backup)).toBe('600');
    } finally {
      await store.close();
    }
  });

  it('tightens a store file left world-readable by an older version', async () => {
    const path = join(root, 'old.sqlite');
    writeFileSync(path, '');
    chmodSync(path, 0o644);
    const store = openStore({ path });
    try {
      expect(mode(path)).toBe('600');
      expect(mode(`${path}-wal`)).toBe('600');
    } finally {
      await store.close();
    }
  });
});
