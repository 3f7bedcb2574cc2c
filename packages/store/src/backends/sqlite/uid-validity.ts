import { nextUidValidity } from '../../core/uid-validity.js';
import type { SqliteDatabase } from './db.js';

/**
 * Hands out UIDVALIDITY values. RFC 3501 2.3.1.1: a mailbox re-created under an old name must
 * get a new, larger UIDVALIDITY. max(now in seconds, last + 1), persisted in `meta`, gives values
 * that grow even when the clock steps back or many mailboxes are created in one second.
 */
export class UidValidityCounter {
  private readonly read;
  private readonly write;

  constructor(db: SqliteDatabase) {
    this.read = db.prepare<[], { value: number }>("SELECT value FROM meta WHERE key = 'uid_validity_last'");
    this.write = db.prepare(
      "INSERT INTO meta (key, value) VALUES ('uid_validity_last', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    );
  }

  /** Must run inside a write transaction. */
  next(): number {
    const last = this.read.get()?.value ?? 0;
    const value = nextUidValidity(last);
    this.write.run(value);
    return value;
  }
}
