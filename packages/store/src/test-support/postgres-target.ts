import pg from 'pg';
import { inject } from 'vitest';
import { openPostgresStore } from '../backends/postgres/postgres-store.js';
import { TEMPLATE_DATABASE } from './global-postgres.js';
import type { TestOpenOptions, TestStore } from './temp-store.js';

/** One fresh database in the test project's private PostgreSQL cluster (test-support/global-postgres.ts). */
export interface PostgresTestTarget {
  readonly url: string;
  open(options: TestOpenOptions): Promise<TestStore>;
  query(sql: string, params: unknown[]): Promise<Array<Record<string, unknown>>>;
  drop(): Promise<void>;
}

let counter = 0;

/** `?` placeholders as PostgreSQL's `$n` (the tests' SQL has no `?` inside literals). */
function numbered(sql: string): string {
  let index = 0;
  return sql.replace(/\?/g, () => `$${++index}`);
}

export async function postgresTestTarget(): Promise<PostgresTestTarget> {
  const adminUrl = inject('postgresAdminUrl');
  counter += 1;
  const database = `t_${process.pid}_${counter}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${database}" TEMPLATE ${TEMPLATE_DATABASE}`);
  } finally {
    await admin.end();
  }
  const url = adminUrl.replace(/\/postgres$/, `/${database}`);
  const types = {
    getTypeParser: ((oid: number, format?: string) =>
      oid === 20 || oid === 1700
        ? Number
        : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
  };
  return {
    url,
    // SQLite-only options (writer, poll interval) have no meaning here.
    open: ({ logger, describeBody, indexBody, indexAtDelivery, sortKeysOf, flagListCacheMinMessages }) =>
      openPostgresStore({
        url,
        poolSize: 4,
        ...(logger === undefined ? {} : { logger }),
        ...(describeBody === undefined ? {} : { describeBody }),
        ...(indexBody === undefined ? {} : { indexBody }),
        ...(indexAtDelivery === undefined ? {} : { indexAtDelivery }),
        ...(sortKeysOf === undefined ? {} : { sortKeysOf }),
        ...(flagListCacheMinMessages === undefined ? {} : { flagListCacheMinMessages }),
      }),
    async query(sql, params) {
      const client = new pg.Client({ connectionString: url, types });
      await client.connect();
      try {
        return (await client.query(numbered(sql), params)).rows as Array<Record<string, unknown>>;
      } finally {
        await client.end();
      }
    },
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
