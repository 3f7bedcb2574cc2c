import type { SqliteDatabase } from './db.js';
import { StoreError, type AppPassword } from '../../core/types.js';

interface AppPasswordRow {
  name: string;
  created_at: number;
}

const toAppPassword = (row: AppPasswordRow): AppPassword => ({
  name: row.name,
  createdAt: new Date(row.created_at),
});

/** Per-user app passwords (migration 005): name and the sha256 of the secret, never the secret. */
export class AppPasswords {
  private readonly insert;
  private readonly byUser;
  private readonly byHash;
  private readonly deleteByName;

  constructor(db: SqliteDatabase) {
    this.insert = db.prepare<[number, string, string, number], AppPasswordRow>(
      'INSERT INTO app_passwords (user_id, name, hash, created_at) VALUES (?, ?, ?, ?) RETURNING name, created_at',
    );
    this.byUser = db.prepare<[number], AppPasswordRow>(
      'SELECT name, created_at FROM app_passwords WHERE user_id = ? ORDER BY name',
    );
    this.byHash = db.prepare<[number, string], { id: number }>(
      'SELECT id FROM app_passwords WHERE user_id = ? AND hash = ?',
    );
    this.deleteByName = db.prepare('DELETE FROM app_passwords WHERE user_id = ? AND name = ?');
  }

  add(userId: number, name: string, hash: string): AppPassword {
    if (this.byUser.all(userId).some((row) => row.name === name)) {
      throw new StoreError('ALREADY_EXISTS', `an app password named "${name}" exists; revoke it first`);
    }
    return toAppPassword(this.insert.get(userId, name, hash, Date.now())!);
  }

  list(userId: number): AppPassword[] {
    return this.byUser.all(userId).map(toAppPassword);
  }

  has(userId: number, hash: string): boolean {
    return this.byHash.get(userId, hash) !== undefined;
  }

  remove(userId: number, name: string): void {
    if (this.deleteByName.run(userId, name).changes === 0) {
      throw new StoreError('NOT_FOUND', `no app password named "${name}"`);
    }
  }
}
