import type { SqliteDatabase } from './db.js';
import { normalizeMailboxName } from '../../core/mailbox-names.js';

/**
 * RFC 3501 6.3.6 / 6.3.7: the names a user subscribed to, whether or not a mailbox has that name
 * (a deleted mailbox's subscription stays; CREATE subscribes nothing).
 */
export class Subscriptions {
  private readonly byUser;
  private readonly insert;
  private readonly remove;

  constructor(db: SqliteDatabase) {
    this.byUser = db.prepare<[number], { name: string }>(
      'SELECT name FROM subscriptions WHERE user_id = ? ORDER BY name',
    );
    this.insert = db.prepare('INSERT OR IGNORE INTO subscriptions (user_id, name) VALUES (?, ?)');
    this.remove = db.prepare('DELETE FROM subscriptions WHERE user_id = ? AND name = ?');
  }

  list(userId: number): string[] {
    return this.byUser.all(userId).map((row) => row.name);
  }

  set(userId: number, name: string, subscribed: boolean): void {
    const canonical = normalizeMailboxName(name);
    if (subscribed) this.insert.run(userId, canonical);
    else this.remove.run(userId, canonical);
  }
}
