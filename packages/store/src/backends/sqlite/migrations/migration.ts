import type { SqliteDatabase } from '../db.js';

/** One forward-only schema step. `up` runs inside its own transaction with user_version bumped. */
export interface Migration {
  version: number;
  name: string;
  up(db: SqliteDatabase): void;
}
