import type { SqliteDatabase } from './db.js';
import { StoreError, type Quota } from '../../core/types.js';

interface QuotaRow {
  user_quota: number | null;
  domain_quota: number | null;
  used_bytes: number;
  used_messages: number;
}

/** Quota limits and the trigger-kept usage (migration 006). */
export class Quotas {
  private readonly byUser;
  private readonly setUser;
  private readonly setDomain;

  constructor(db: SqliteDatabase) {
    this.byUser = db.prepare<[number], QuotaRow>(
      `SELECT u.quota_bytes AS user_quota, d.quota_bytes AS domain_quota, u.used_bytes, u.used_messages
       FROM users u JOIN domains d ON d.id = u.domain_id WHERE u.id = ?`,
    );
    this.setUser = db.prepare('UPDATE users SET quota_bytes = ? WHERE id = ?');
    this.setDomain = db.prepare('UPDATE domains SET quota_bytes = ? WHERE name = ?');
  }

  get(userId: number): Quota {
    const row = this.byUser.get(userId);
    if (row === undefined) throw new StoreError('NOT_FOUND', `no user with id ${userId}`);
    const limitBytes = row.user_quota ?? row.domain_quota;
    return {
      limitBytes,
      source: row.user_quota !== null ? 'user' : row.domain_quota !== null ? 'domain' : 'none',
      usedBytes: row.used_bytes,
      usedMessages: row.used_messages,
    };
  }

  setForUser(userId: number, bytes: number | null): void {
    this.setUser.run(bytes, userId);
  }

  setForDomain(domain: string, bytes: number | null): void {
    if (this.setDomain.run(bytes, domain.toLowerCase()).changes === 0) {
      throw new StoreError('NOT_FOUND', `domain ${domain} is not a local domain`);
    }
  }
}
