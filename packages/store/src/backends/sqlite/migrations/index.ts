import type { SqliteDatabase } from '../db.js';
import { StoreError } from '../../../core/types.js';
import { migration001Core } from './001-core.js';
import { migration002FeedQueueLocks } from './002-feed-queue-locks.js';
import { migration003BodyStructure } from './003-body-structure.js';
import { migration004DkimKeys } from './004-dkim-keys.js';
import { migration005Subscriptions } from './005-subscriptions.js';
import { migration006SearchIndex } from './006-search-index.js';
import { migration007SaveDate } from './007-save-date.js';
import { migration008Sieve } from './008-sieve.js';
import { migration009OutboundDsn } from './009-outbound-dsn.js';
import { migration010QresyncHistory } from './010-qresync-history.js';
import { migration011AppPasswords } from './011-app-passwords.js';
import { migration012Quotas } from './012-quotas.js';
import { migration013Transcripts } from './013-transcripts.js';
import { migration014SearchHeaders } from './014-search-headers.js';
import { migration015SortKeys } from './015-sort-keys.js';
import { migration016SearchCarry } from './016-search-carry.js';
import type { Migration } from './migration.js';

export type { Migration } from './migration.js';

/** Every migration, in order. Append only: never edit or reorder a released one. */
export const MIGRATIONS: readonly Migration[] = [
  migration001Core,
  migration002FeedQueueLocks,
  migration003BodyStructure,
  migration004DkimKeys,
  migration005Subscriptions,
  migration006SearchIndex,
  migration007SaveDate,
  migration008Sieve,
  migration009OutboundDsn,
  migration010QresyncHistory,
  migration011AppPasswords,
  migration012Quotas,
  migration013Transcripts,
  migration014SearchHeaders,
  migration015SortKeys,
  migration016SearchCarry,
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;

export function schemaVersion(db: SqliteDatabase): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Applies every migration above the file's PRAGMA user_version up to `target` (default: latest),
 * each in its own BEGIN IMMEDIATE transaction, re-reading the version inside it so two processes
 * opening a fresh file at once do not both migrate. A file newer than this code is refused.
 */
export function migrate(db: SqliteDatabase, target: number = LATEST_SCHEMA_VERSION): void {
  const current = schemaVersion(db);
  if (current > LATEST_SCHEMA_VERSION) {
    throw new StoreError(
      'INVALID',
      `database schema version ${current} is newer than this minimail supports (${LATEST_SCHEMA_VERSION}); upgrade minimail`,
    );
  }
  for (const migration of MIGRATIONS) {
    if (migration.version > target) break;
    const apply = db.transaction(() => {
      if (schemaVersion(db) >= migration.version) return;
      migration.up(db);
      // user_version lives in the database header and is written as part of this transaction.
      db.pragma(`user_version = ${migration.version}`);
    });
    apply.immediate();
  }
}
