import type { SqliteDatabase } from './db.js';
import { quotaOf, type QuotaRow, type UserQuota } from '../../core/quotas.js';
import { StoreError, type Quota, type QuotaResource } from '../../core/types.js';

const COLUMN: Record<QuotaResource, string> = { STORAGE: 'quota_bytes', MESSAGE: 'quota_messages' };

/** Quota limits and the trigger-kept usage (the quotas migration). */
export class Quotas {
  private readonly byUser;
  private readonly setUser;
  private readonly setDomain;

  constructor(db: SqliteDatabase) {
    this.byUser = db.prepare<[number], QuotaRow & { address: string }>(
      `SELECT u.address, u.quota_bytes AS user_bytes, d.quota_bytes AS domain_bytes,
              u.quota_messages AS user_messages, d.quota_messages AS domain_messages,
              u.used_bytes, u.used_messages
       FROM users u JOIN domains d ON d.id = u.domain_id WHERE u.id = ?`,
    );
    const statements = (sql: (column: string) => string) => ({
      STORAGE: db.prepare<[number | null, number | string]>(sql(COLUMN.STORAGE)),
      MESSAGE: db.prepare<[number | null, number | string]>(sql(COLUMN.MESSAGE)),
    });
    this.setUser = statements((column) => `UPDATE users SET ${column} = ? WHERE id = ?`);
    this.setDomain = statements((column) => `UPDATE domains SET ${column} = ? WHERE name = ?`);
  }

  get(userId: number): Quota {
    return this.withAddress(userId).quota;
  }

  withAddress(userId: number): UserQuota {
    const row = this.byUser.get(userId);
    if (row === undefined) throw new StoreError('NOT_FOUND', `no user with id ${userId}`);
    return { address: row.address, quota: quotaOf(row) };
  }

  setForUser(userId: number, limit: number | null, resource: QuotaResource): void {
    this.setUser[resource].run(limit, userId);
  }

  setForDomain(domain: string, limit: number | null, resource: QuotaResource): void {
    if (this.setDomain[resource].run(limit, domain.toLowerCase()).changes === 0) {
      throw new StoreError('NOT_FOUND', `domain ${domain} is not a local domain`);
    }
  }
}
