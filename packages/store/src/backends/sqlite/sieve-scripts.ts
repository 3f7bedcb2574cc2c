/**
 * Sieve scripts and the vacation reply record on SQLite (ManageSieve, the CLI, delivery). Writes
 * are named ops of the write table (write-ops.ts), so they share the group commit and its WAL
 * fsync: an OK to PUTSCRIPT comes after the script is durable (docs/adr/0023).
 */
import {
  MAX_SIEVE_SCRIPTS,
  withinVacationPeriod,
  type ActiveSieveScript,
  type SieveScriptInfo,
} from '../../core/sieve-scripts.js';
import { StoreError } from '../../core/types.js';
import type { SqliteDatabase } from './db.js';

export class SieveScripts {
  private readonly byUser;
  private readonly one;
  private readonly all;
  private readonly active;
  private readonly count;
  private readonly upsert;
  private readonly remove;
  private readonly rename;
  private readonly clearActive;
  private readonly markActive;
  private readonly vacation;
  private readonly recordVacation;

  constructor(db: SqliteDatabase) {
    this.byUser = db.prepare<[number], { name: string; active: number }>(
      'SELECT name, active FROM sieve_scripts WHERE user_id = ? ORDER BY name',
    );
    this.one = db.prepare<[number, string], { content: string; active: number }>(
      'SELECT content, active FROM sieve_scripts WHERE user_id = ? AND name = ?',
    );
    this.all = db.prepare<[number], { name: string; content: string }>(
      'SELECT name, content FROM sieve_scripts WHERE user_id = ?',
    );
    this.active = db.prepare<[number], ActiveSieveScript>(
      `SELECT s.name AS name, s.content AS content, u.address AS address
       FROM sieve_scripts s JOIN users u ON u.id = s.user_id WHERE s.user_id = ? AND s.active = 1`,
    );
    this.count = db.prepare<[number], { n: number }>(
      'SELECT count(*) AS n FROM sieve_scripts WHERE user_id = ?',
    );
    this.upsert = db.prepare(
      `INSERT INTO sieve_scripts (user_id, name, content, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (user_id, name) DO UPDATE SET content = excluded.content, updated_at = excluded.updated_at`,
    );
    this.remove = db.prepare('DELETE FROM sieve_scripts WHERE user_id = ? AND name = ?');
    this.rename = db.prepare('UPDATE sieve_scripts SET name = ? WHERE user_id = ? AND name = ?');
    this.clearActive = db.prepare('UPDATE sieve_scripts SET active = 0 WHERE user_id = ? AND active = 1');
    this.markActive = db.prepare('UPDATE sieve_scripts SET active = 1 WHERE user_id = ? AND name = ?');
    this.vacation = db.prepare<[number, string, string], { sent_at: number }>(
      'SELECT sent_at FROM sieve_vacation_replies WHERE user_id = ? AND handle = ? AND sender = ?',
    );
    this.recordVacation = db.prepare(
      `INSERT INTO sieve_vacation_replies (user_id, handle, sender, sent_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (user_id, handle, sender) DO UPDATE SET sent_at = excluded.sent_at`,
    );
  }

  list(userId: number): SieveScriptInfo[] {
    return this.byUser.all(userId).map((r) => ({ name: r.name, active: r.active === 1 }));
  }

  get(userId: number, name: string): string | null {
    return this.one.get(userId, name)?.content ?? null;
  }

  allOf(userId: number): Map<string, string> {
    return new Map(this.all.all(userId).map((r) => [r.name, r.content]));
  }

  activeOf(userId: number): ActiveSieveScript | null {
    return this.active.get(userId) ?? null;
  }

  put(userId: number, name: string, content: string, now: number): void {
    if (this.one.get(userId, name) === undefined && (this.count.get(userId)?.n ?? 0) >= MAX_SIEVE_SCRIPTS) {
      throw new StoreError('INVALID', `more than ${MAX_SIEVE_SCRIPTS} scripts`);
    }
    this.upsert.run(userId, name, content, now);
  }

  delete(userId: number, name: string): void {
    const row = this.one.get(userId, name);
    if (row === undefined) throw new StoreError('NOT_FOUND', 'no such script');
    if (row.active === 1) throw new StoreError('LOCKED', 'the active script cannot be deleted');
    this.remove.run(userId, name);
  }

  renameTo(userId: number, from: string, to: string): void {
    if (this.one.get(userId, from) === undefined) throw new StoreError('NOT_FOUND', 'no such script');
    if (from === to) return;
    if (this.one.get(userId, to) !== undefined)
      throw new StoreError('ALREADY_EXISTS', 'a script with that name exists');
    this.rename.run(to, userId, from);
  }

  activate(userId: number, name: string | null): void {
    if (name !== null && this.one.get(userId, name) === undefined)
      throw new StoreError('NOT_FOUND', 'no such script');
    this.clearActive.run(userId);
    if (name !== null) this.markActive.run(userId, name);
  }

  claimVacation(userId: number, handle: string, sender: string, days: number, now: number): boolean {
    const row = this.vacation.get(userId, handle, sender);
    if (row !== undefined && withinVacationPeriod(row.sent_at, days, now)) return false;
    this.recordVacation.run(userId, handle, sender, now);
    return true;
  }
}
