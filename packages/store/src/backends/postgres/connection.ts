import pg from 'pg';

/** Settings of the PostgreSQL backend (the app maps `databaseUrl` and friends onto these). */
export interface PostgresSettings {
  /** `postgres://user:password@host:port/database` (libpq URL; `?host=/socket/dir` works too). */
  url: string;
  /** Connections in this node's pool for reads and write batches (default 10). */
  poolSize?: number;
  /** Server-side statement_timeout in ms (default 30 000); 0 turns it off. */
  statementTimeoutMs?: number;
  /**
   * TLS to the database: false (default: as the URL says, e.g. `?sslmode=require`), true (TLS,
   * certificate verified against the system CAs), or node's TLS options (a private CA, a client
   * certificate).
   */
  ssl?: boolean | import('node:tls').ConnectionOptions;
}

export const DEFAULT_POOL_SIZE = 10;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;

/**
 * int8 (bigint, bigserial, COUNT(*)) as a JS number: every id, UID, modseq and millisecond time
 * the store keeps stays far below 2^53. numeric (SUM of sizes) likewise.
 */
const TYPES = {
  getTypeParser: ((oid: number, format?: string) => {
    if (oid === 20 || oid === 1700) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as 'text');
  }) as typeof pg.types.getTypeParser,
};

/**
 * The connection settings every connection of the backend uses: synchronous_commit=on, so a
 * COMMIT returns only once its WAL is flushed on the server (and on synchronous standbys, if the
 * operator configured any), which is when a write may be acknowledged (docs/adr/0003).
 */
export function clientConfig(settings: PostgresSettings): pg.ClientConfig {
  const timeout = settings.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  const config: pg.ClientConfig = {
    connectionString: settings.url,
    options: `-c synchronous_commit=on -c statement_timeout=${timeout}`,
    types: TYPES,
    application_name: 'minimail',
  };
  if (settings.ssl !== undefined && settings.ssl !== false) config.ssl = settings.ssl;
  return config;
}

export function createPool(settings: PostgresSettings): pg.Pool {
  return new pg.Pool({ ...clientConfig(settings), max: settings.poolSize ?? DEFAULT_POOL_SIZE });
}

/** Anything that runs a query: the pool (reads) or a transaction's client (writes). */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>>;
}
