import { quotaOf, type QuotaRow, type UserQuota } from '../../core/quotas.js';
import { StoreError, type Quota, type QuotaResource } from '../../core/types.js';
import { userIdOf } from './app-passwords.js';
import type { Queryable } from './connection.js';

const COLUMN: Record<QuotaResource, string> = { STORAGE: 'quota_bytes', MESSAGE: 'quota_messages' };

/**
 * A user's limits and trigger-kept usage (the quotas migration); NOT_FOUND for an unknown id.
 * `lock`: the user's row stays locked to the end of the transaction, so a delivery on another node
 * waits for this one's usage before it checks its own.
 */
export async function quotaOfUser(db: Queryable, userId: number, lock = false): Promise<UserQuota> {
  const row = (
    await db.query<QuotaRow & { address: string }>(
      `SELECT u.address, u.quota_bytes AS user_bytes, d.quota_bytes AS domain_bytes,
              u.quota_messages AS user_messages, d.quota_messages AS domain_messages,
              u.used_bytes, u.used_messages
       FROM users u JOIN domains d ON d.id = u.domain_id WHERE u.id = $1${lock ? ' FOR UPDATE OF u' : ''}`,
      [userId],
    )
  ).rows[0];
  if (row === undefined) throw new StoreError('NOT_FOUND', `no user with id ${userId}`);
  return { address: row.address, quota: quotaOf(row) };
}

export async function getQuota(db: Queryable, address: string): Promise<Quota> {
  return (await quotaOfUser(db, await userIdOf(db, address))).quota;
}

export async function setQuota(
  db: Queryable,
  address: string,
  limit: number | null,
  resource: QuotaResource,
): Promise<void> {
  const userId = await userIdOf(db, address);
  await db.query(`UPDATE users SET ${COLUMN[resource]} = $1 WHERE id = $2`, [limit, userId]);
}

export async function setDomainQuota(
  db: Queryable,
  domain: string,
  limit: number | null,
  resource: QuotaResource,
): Promise<void> {
  const result = await db.query(`UPDATE domains SET ${COLUMN[resource]} = $1 WHERE name = $2`, [
    limit,
    domain.toLowerCase(),
  ]);
  if (result.rowCount === 0) throw new StoreError('NOT_FOUND', `domain ${domain} is not a local domain`);
}
