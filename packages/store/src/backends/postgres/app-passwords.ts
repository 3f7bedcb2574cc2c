import { parseAddress } from '../../core/addresses.js';
import { StoreError, type AppPassword, type User } from '../../core/types.js';
import type { Queryable } from './connection.js';
import { getUser } from './directory.js';

interface AppPasswordRow {
  name: string;
  created_at: number;
}

const toAppPassword = (row: AppPasswordRow): AppPassword => ({
  name: row.name,
  createdAt: new Date(row.created_at),
});

/** The id of an existing user; NOT_FOUND otherwise (app passwords and quotas are kept by user id). */
export async function userIdOf(db: Queryable, rawAddress: string): Promise<number> {
  const address = parseAddress(rawAddress).address;
  const row = (await db.query<{ id: number }>('SELECT id FROM users WHERE address = $1', [address])).rows[0];
  if (row === undefined) throw new StoreError('NOT_FOUND', `no user ${address}`);
  return row.id;
}

/** Per-user app passwords (migration 005): name and the sha256 of the secret, never the secret. */
export async function addAppPassword(
  db: Queryable,
  address: string,
  name: string,
  hash: string,
): Promise<AppPassword> {
  const userId = await userIdOf(db, address);
  const row = (
    await db.query<AppPasswordRow>(
      `INSERT INTO app_passwords (user_id, name, hash, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (user_id, name) DO NOTHING RETURNING name, created_at`,
      [userId, name, hash, Date.now()],
    )
  ).rows[0];
  if (row === undefined) {
    throw new StoreError('ALREADY_EXISTS', `an app password named "${name}" exists; revoke it first`);
  }
  return toAppPassword(row);
}

export async function listAppPasswords(db: Queryable, address: string): Promise<AppPassword[]> {
  const userId = await userIdOf(db, address);
  const rows = (
    await db.query<AppPasswordRow>(
      'SELECT name, created_at FROM app_passwords WHERE user_id = $1 ORDER BY name COLLATE "C"',
      [userId],
    )
  ).rows;
  return rows.map(toAppPassword);
}

export async function removeAppPassword(db: Queryable, address: string, name: string): Promise<void> {
  const userId = await userIdOf(db, address);
  const result = await db.query('DELETE FROM app_passwords WHERE user_id = $1 AND name = $2', [userId, name]);
  if (result.rowCount === 0) throw new StoreError('NOT_FOUND', `no app password named "${name}"`);
}

/** The user whose app password has this sha256 (hex), or null. */
export async function appPasswordUser(db: Queryable, address: string, hash: string): Promise<User | null> {
  const user = await getUser(db, address);
  if (user === null) return null;
  const row = (
    await db.query('SELECT 1 FROM app_passwords WHERE user_id = $1 AND hash = $2', [user.id, hash])
  ).rows[0];
  return row === undefined ? null : user;
}
