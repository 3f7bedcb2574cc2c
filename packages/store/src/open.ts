import type { CoreMailStore } from './core/mail-store.js';
import { openPostgresStore, type OpenPostgresStoreOptions } from './backends/postgres/postgres-store.js';
import type { PostgresSettings } from './backends/postgres/connection.js';
import { openStore, type OpenStoreOptions } from './backends/sqlite/sqlite-store.js';

/** Where the data lives: a `postgres://` URL selects PostgreSQL; otherwise the SQLite file. */
export type StoreLocation =
  ({ kind: 'sqlite' } & OpenStoreOptions) | ({ kind: 'postgres' } & OpenPostgresStoreOptions);

/** True for a URL the PostgreSQL backend takes (`postgres://` or `postgresql://`). */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/**
 * Opens whichever backend `location` names (the app builds it from `databaseUrl`: unset means
 * SQLite in the data dir, `postgres://...` the PostgreSQL backend).
 */
export async function openMailStore(location: StoreLocation): Promise<CoreMailStore> {
  if (location.kind === 'postgres') {
    const { kind: _kind, ...options } = location;
    return openPostgresStore(options);
  }
  const { kind: _kind, ...options } = location;
  return openStore(options);
}

export type { PostgresSettings };
