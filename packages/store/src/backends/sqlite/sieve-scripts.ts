/**
 * Sieve scripts and the vacation reply record on SQLite, for ManageSieve (RFC 5804), the CLI and
 * delivery. Its own connection to the store's file: script uploads and vacation records are rare,
 * small writes that need not join the delivery group commit. synchronous=FULL makes each of them
 * durable at COMMIT (docs/adr/0017), so an OK to PUTSCRIPT comes after the fsync.
 */
import {
  checkScriptName,
  MAX_SIEVE_SCRIPT_BYTES,
  MAX_SIEVE_SCRIPTS,
  type ActiveSieveScript,
  type SieveScriptInfo,
  type SieveScriptStore,
} from '../../core/sieve-scripts.js';
import { StoreError } from '../../core/types.js';
import { openDatabase, type SqliteDatabase } from './db.js';
import { toStoreError } from './errors.js';
import { migrate } from './migrations/index.js';

/** Opens the Sieve tables of the SQLite store file at `path` (migrating it if needed). */
export function openSieveScripts(path: string): SieveScriptStore {
  const db = openDatabase(path);
  try {
    migrate(db);
    db.pragma('synchronous = FULL');
  } catch (error) {
    db.close();
    throw toStoreError(error);
  }
  return new SqliteSieveScripts(db);
}

class SqliteSieveScripts implements SieveScriptStore {
  constructor(private readonly db: SqliteDatabase) {}

  private run<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn());
    } catch (error) {
      return Promise.reject(error instanceof StoreError ? error : toStoreError(error));
    }
  }

  listScripts(userId: number): Promise<SieveScriptInfo[]> {
    return this.run(() =>
      this.db
        .prepare<[number], { name: string; active: number }>(
          'SELECT name, active FROM sieve_scripts WHERE user_id = ? ORDER BY name',
        )
        .all(userId)
        .map((r) => ({ name: r.name, active: r.active === 1 })),
    );
  }

  getScript(userId: number, name: string): Promise<string | null> {
    return this.run(() => {
      const row = this.db
        .prepare<[number, string], { content: string }>(
          'SELECT content FROM sieve_scripts WHERE user_id = ? AND name = ?',
        )
        .get(userId, name);
      return row?.content ?? null;
    });
  }

  allScripts(userId: number): Promise<Map<string, string>> {
    return this.run(
      () =>
        new Map(
          this.db
            .prepare<[number], { name: string; content: string }>(
              'SELECT name, content FROM sieve_scripts WHERE user_id = ?',
            )
            .all(userId)
            .map((r) => [r.name, r.content]),
        ),
    );
  }

  putScript(userId: number, name: string, content: string): Promise<void> {
    return this.run(() => {
      checkScriptName(name);
      if (Buffer.byteLength(content, 'utf8') > MAX_SIEVE_SCRIPT_BYTES) {
        throw new StoreError('INVALID', `script larger than ${MAX_SIEVE_SCRIPT_BYTES} octets`);
      }
      this.db
        .transaction(() => {
          const exists = this.db
            .prepare('SELECT 1 FROM sieve_scripts WHERE user_id = ? AND name = ?')
            .get(userId, name);
          if (!exists) {
            const { n } = this.db
              .prepare<[number], { n: number }>('SELECT count(*) AS n FROM sieve_scripts WHERE user_id = ?')
              .get(userId)!;
            if (n >= MAX_SIEVE_SCRIPTS)
              throw new StoreError('INVALID', `more than ${MAX_SIEVE_SCRIPTS} scripts`);
          }
          this.db
            .prepare(
              `INSERT INTO sieve_scripts (user_id, name, content, updated_at) VALUES (?, ?, ?, ?)
               ON CONFLICT (user_id, name) DO UPDATE SET content = excluded.content, updated_at = excluded.updated_at`,
            )
            .run(userId, name, content, Date.now());
        })
        .immediate();
    });
  }

  deleteScript(userId: number, name: string): Promise<void> {
    return this.run(() => {
      const row = this.db
        .prepare<[number, string], { active: number }>(
          'SELECT active FROM sieve_scripts WHERE user_id = ? AND name = ?',
        )
        .get(userId, name);
      if (!row) throw new StoreError('NOT_FOUND', 'no such script');
      if (row.active === 1) throw new StoreError('LOCKED', 'the active script cannot be deleted');
      this.db.prepare('DELETE FROM sieve_scripts WHERE user_id = ? AND name = ?').run(userId, name);
    });
  }

  renameScript(userId: number, from: string, to: string): Promise<void> {
    return this.run(() => {
      checkScriptName(to);
      this.db
        .transaction(() => {
          if (
            !this.db.prepare('SELECT 1 FROM sieve_scripts WHERE user_id = ? AND name = ?').get(userId, from)
          ) {
            throw new StoreError('NOT_FOUND', 'no such script');
          }
          if (this.db.prepare('SELECT 1 FROM sieve_scripts WHERE user_id = ? AND name = ?').get(userId, to)) {
            throw new StoreError('ALREADY_EXISTS', 'a script with that name exists');
          }
          this.db
            .prepare('UPDATE sieve_scripts SET name = ? WHERE user_id = ? AND name = ?')
            .run(to, userId, from);
        })
        .immediate();
    });
  }

  setActive(userId: number, name: string | null): Promise<void> {
    return this.run(() => {
      this.db
        .transaction(() => {
          if (
            name !== null &&
            !this.db.prepare('SELECT 1 FROM sieve_scripts WHERE user_id = ? AND name = ?').get(userId, name)
          ) {
            throw new StoreError('NOT_FOUND', 'no such script');
          }
          this.db.prepare('UPDATE sieve_scripts SET active = 0 WHERE user_id = ? AND active = 1').run(userId);
          if (name !== null)
            this.db
              .prepare('UPDATE sieve_scripts SET active = 1 WHERE user_id = ? AND name = ?')
              .run(userId, name);
        })
        .immediate();
    });
  }

  activeScript(userId: number): Promise<ActiveSieveScript | null> {
    return this.run(() => {
      const row = this.db
        .prepare<[number], ActiveSieveScript>(
          `SELECT s.name AS name, s.content AS content, u.address AS address
           FROM sieve_scripts s JOIN users u ON u.id = s.user_id WHERE s.user_id = ? AND s.active = 1`,
        )
        .get(userId);
      return row ?? null;
    });
  }

  claimVacationReply(
    userId: number,
    handle: string,
    sender: string,
    days: number,
    now = Date.now(),
  ): Promise<boolean> {
    return this.run(() =>
      this.db
        .transaction(() => {
          const key = sender.toLowerCase();
          const row = this.db
            .prepare<[number, string, string], { sent_at: number }>(
              'SELECT sent_at FROM sieve_vacation_replies WHERE user_id = ? AND handle = ? AND sender = ?',
            )
            .get(userId, handle, key);
          if (row && now - row.sent_at < days * 86_400_000) return false;
          this.db
            .prepare(
              `INSERT INTO sieve_vacation_replies (user_id, handle, sender, sent_at) VALUES (?, ?, ?, ?)
               ON CONFLICT (user_id, handle, sender) DO UPDATE SET sent_at = excluded.sent_at`,
            )
            .run(userId, handle, key, now);
          return true;
        })
        .immediate(),
    );
  }

  close(): void {
    this.db.close();
  }
}
