import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LOCK_STALE_AFTER_MS } from '../../core/limits.js';
import { ensureDistBuilt, PACKAGE_DIR } from '../../test-support/dist-build.js';
import { TempStores } from '../../test-support/temp-store.js';
import type { TestStore } from '../../test-support/temp-store.js';
import type { User } from '../../core/types.js';

describe('maildrop locks (RFC 1939 8)', () => {
  let temp: TempStores;
  let store: TestStore;
  let user: User;

  const insertLock = (row: { owner: string; pid: number; host: string; heartbeatAt: number }): void => {
    const db = new Database(temp.path);
    db.prepare(
      'INSERT INTO maildrop_locks (user_id, owner, pid, hostname, heartbeat_at) VALUES (?, ?, ?, ?, ?)',
    ).run(user.id, row.owner, row.pid, row.host, row.heartbeatAt);
    db.close();
  };

  beforeAll(() => ensureDistBuilt());
  beforeEach(async () => {
    temp = new TempStores();
    store = await temp.open();
    user = await store.ensureUser('pop@example.com');
  });
  afterEach(() => temp.cleanup());

  it('is exclusive per user, re-entrant for its owner, and released by unlock', async () => {
    const other = await store.ensureUser('other@example.com');
    expect(await store.lockMaildrop(user.id, 'session-1')).toBe(true);
    expect(await store.lockMaildrop(user.id, 'session-1')).toBe(true);
    expect(await store.lockMaildrop(user.id, 'session-2')).toBe(false);
    expect(await store.lockMaildrop(other.id, 'session-2')).toBe(true);
    await store.unlockMaildrop(user.id, 'session-2'); // not the holder: no effect
    expect(await store.lockMaildrop(user.id, 'session-2')).toBe(false);
    await store.unlockMaildrop(user.id, 'session-1');
    expect(await store.lockMaildrop(user.id, 'session-2')).toBe(true);
    await expect(store.lockMaildrop(9999, 's')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('excludes a second store on the same file, and close() releases the locks', async () => {
    const other = await temp.open();
    expect(await store.lockMaildrop(user.id, 'a')).toBe(true);
    expect(await other.lockMaildrop(user.id, 'b')).toBe(false);
    await store.close();
    expect(await other.lockMaildrop(user.id, 'b')).toBe(true);
  });

  it('takes over a lock whose heartbeat is too old, but not a fresh one from another host', async () => {
    insertLock({ owner: 'remote', pid: 4242, host: 'some-other-host', heartbeatAt: Date.now() });
    expect(await store.lockMaildrop(user.id, 'local')).toBe(false);
    const db = new Database(temp.path);
    db.prepare('UPDATE maildrop_locks SET heartbeat_at = ?').run(Date.now() - LOCK_STALE_AFTER_MS - 1000);
    db.close();
    expect(await store.lockMaildrop(user.id, 'local')).toBe(true);
  });

  it('does not let a lock outlive its killed process', async () => {
    const child = spawn(
      process.execPath,
      [join(PACKAGE_DIR, 'src', 'test-support', 'child-lock.mjs'), temp.path, String(user.id)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    try {
      const firstLine = await new Promise<string>((resolve, reject) => {
        child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString()));
        child.on('error', reject);
      });
      expect(firstLine).toBe('locked\n');
      expect(await store.lockMaildrop(user.id, 'parent')).toBe(false);
    } finally {
      child.kill('SIGKILL');
      await exited; // reaped: its pid no longer exists
    }
    const db = new Database(temp.path, { readonly: true });
    expect(db.prepare('SELECT hostname, pid FROM maildrop_locks').get()).toEqual({
      hostname: hostname(),
      pid: child.pid,
    });
    db.close();
    expect(await store.lockMaildrop(user.id, 'parent')).toBe(true);
  });
});
