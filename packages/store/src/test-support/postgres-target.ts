import type { TestOpenOptions, TestStore } from './temp-store.js';

/** One fresh database in the test project's private PostgreSQL cluster. */
export interface PostgresTestTarget {
  open(options: TestOpenOptions): Promise<TestStore>;
  query(sql: string, params: unknown[]): Promise<Array<Record<string, unknown>>>;
  drop(): Promise<void>;
}

export function postgresTestTarget(): Promise<PostgresTestTarget> {
  return Promise.reject(new Error('the PostgreSQL backend is not built yet'));
}
