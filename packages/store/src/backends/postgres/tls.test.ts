import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgresCluster, type PostgresCluster } from '../../testing/postgres-cluster.js';
import { openPostgresStore } from './postgres-store.js';

/** TLS to the database is a setting: verified against a given CA, refused when it cannot be verified. */
describe('PostgreSQL over TLS', () => {
  let cluster: PostgresCluster;
  let url: string;

  beforeAll(async () => {
    cluster = await startPostgresCluster({ tls: true });
    url = cluster.url(await cluster.createDatabase());
  });
  afterAll(() => cluster?.stop());

  it('connects with the server certificate checked against the configured CA, and the session is encrypted', async () => {
    const store = await openPostgresStore({ url, ssl: { ca: cluster.certificatePem! }, poolSize: 1 });
    try {
      const user = await store.ensureUser('tls@example.com');
      expect(await store.getUser('tls@example.com')).toEqual(user);
    } finally {
      await store.close();
    }
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: url, ssl: { ca: cluster.certificatePem! } });
    await client.connect();
    try {
      expect((await client.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).rows).toEqual([
        { ssl: true },
      ]);
    } finally {
      await client.end();
    }
  });

  it('refuses a server whose certificate the system CAs do not vouch for', async () => {
    await expect(openPostgresStore({ url, ssl: true, poolSize: 1 })).rejects.toMatchObject({
      code: 'TEMPORARY',
      message: expect.stringMatching(/certificate/),
    });
  });
});
