import { hostname } from 'node:os';
import type { SqliteDatabase } from './db.js';
import { LOCK_STALE_AFTER_MS } from '../../core/limits.js';
import { StoreError } from '../../core/types.js';

interface LockRow {
  owner: string;
  pid: number;
  hostname: string;
  heartbeat_at: number;
}

/** True if a process with this pid exists on this host (EPERM: it exists but is not ours). */
function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * RFC 1939 8: a POP3 server must lock the maildrop for the session. The lock is a row with the
 * holder's pid, host and heartbeat, so it works across processes and a crashed holder's lock is
 * taken over: stale when its pid is gone from this host, or when its heartbeat is too old
 * (covers other hosts and hung processes).
 */
export class MaildropLocks {
  private readonly host = hostname();
  private readonly select;
  private readonly upsert;
  private readonly remove;
  private readonly touch;
  private readonly userExists;

  constructor(db: SqliteDatabase) {
    this.select = db.prepare<[number], LockRow>(
      'SELECT owner, pid, hostname, heartbeat_at FROM maildrop_locks WHERE user_id = ?',
    );
    this.upsert = db.prepare(
      `INSERT INTO maildrop_locks (user_id, owner, pid, hostname, heartbeat_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET owner = excluded.owner, pid = excluded.pid,
         hostname = excluded.hostname, heartbeat_at = excluded.heartbeat_at`,
    );
    this.remove = db.prepare(
      'DELETE FROM maildrop_locks WHERE user_id = ? AND owner = ? AND pid = ? AND hostname = ?',
    );
    this.touch = db.prepare(
      'UPDATE maildrop_locks SET heartbeat_at = ? WHERE user_id = ? AND owner = ? AND pid = ? AND hostname = ?',
    );
    this.userExists = db.prepare<[number], { id: number }>('SELECT id FROM users WHERE id = ?');
  }

  /** Takes the lock if free, stale, or already ours (same owner in this process). */
  lock(userId: number, owner: string): boolean {
    if (this.userExists.get(userId) === undefined)
      throw new StoreError('NOT_FOUND', `no user with id ${userId}`);
    const current = this.select.get(userId);
    const ours =
      current !== undefined &&
      current.owner === owner &&
      current.pid === process.pid &&
      current.hostname === this.host;
    if (current !== undefined && !ours && !this.isStale(current)) return false;
    this.upsert.run(userId, owner, process.pid, this.host, Date.now());
    return true;
  }

  unlock(userId: number, owner: string): void {
    this.remove.run(userId, owner, process.pid, this.host);
  }

  heartbeat(userId: number, owner: string): void {
    this.touch.run(Date.now(), userId, owner, process.pid, this.host);
  }

  private isStale(lock: LockRow): boolean {
    if (Date.now() - lock.heartbeat_at > LOCK_STALE_AFTER_MS) return true;
    return lock.hostname === this.host && !processIsAlive(lock.pid);
  }
}
