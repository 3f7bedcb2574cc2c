/**
 * Moving a deployment between backends with the CLI: `minimail migrate` on an empty PostgreSQL
 * database, `minimail store copy --to postgres://...` from the SQLite data dir, the same admin
 * commands answering alike on PostgreSQL, and `store copy --to FILE` back into a new SQLite file.
 */
import path from 'node:path';
import { openStore, PG_LATEST_SCHEMA_VERSION } from '@minimail/store';
import { postgresBinDir, startPostgresCluster, type PostgresCluster } from '@minimail/store/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { storePath } from '../src/paths.js';
import { cliEnv, runCli, tempDataDir } from './support.js';

const HAVE_POSTGRES = postgresBinDir() !== null;

describe.skipIf(!HAVE_POSTGRES)('minimail migrate and store copy', () => {
  let cluster: PostgresCluster;
  const dirs: Array<ReturnType<typeof tempDataDir>> = [];
  beforeAll(async () => {
    cluster = await startPostgresCluster();
  });
  afterAll(async () => {
    await cluster?.stop();
  });
  afterEach(() => {
    for (const dir of dirs.splice(0)) dir.cleanup();
  });

  it('copies a SQLite deployment to PostgreSQL and back, verified, with the same answers', async () => {
    const data = tempDataDir();
    dirs.push(data);
    const sqliteEnv = cliEnv(data.dir, { MINIMAIL_PROFILE: 'production' });
    const run = async (env: NodeJS.ProcessEnv, args: string[]): Promise<string> => {
      const result = await runCli(args, env);
      expect(result, `minimail ${args.join(' ')}: ${result.stderr}`).toMatchObject({ code: 0, stderr: '' });
      return result.stdout;
    };
    await run(sqliteEnv, ['domain', 'add', 'example.com']);
    await run(sqliteEnv, ['user', 'add', 'alice@example.com', '--password', 'pw-alice']);
    await run(sqliteEnv, ['alias', 'add', 'team@example.com', 'alice@example.com']);
    const store = openStore({ path: storePath(data.dir) });
    const alice = (await store.getUser('alice@example.com'))!;
    await store.deliver({
      raw: Buffer.from('Subject: kept\r\n\r\nbyte for byte\r\n'),
      targets: [{ userId: alice.id }],
    });
    await store.close();

    const url = cluster.url(await cluster.createDatabase());
    const pgEnv = { ...sqliteEnv, MINIMAIL_DATABASE_URL: url };
    const all = Array.from({ length: PG_LATEST_SCHEMA_VERSION }, (_, i) => i + 1).join(', ');
    expect(await run(pgEnv, ['migrate'])).toBe(
      `PostgreSQL schema at version ${PG_LATEST_SCHEMA_VERSION} (applied ${all})\n`,
    );
    expect(await run(pgEnv, ['migrate'])).toBe(
      `PostgreSQL schema at version ${PG_LATEST_SCHEMA_VERSION} (nothing to apply)\n`,
    );

    const copied = await run(sqliteEnv, ['store', 'copy', '--to', url]);
    expect(copied).toMatch(/^domains: 1\nusers: 1\naliases: 1\n/m);
    expect(copied).toMatch(/messages: 1\n/);
    expect(copied).toMatch(/verified every row and 1 body hashes\n$/);
    for (const args of [
      ['user', 'list'],
      ['alias', 'list'],
      ['domain', 'list'],
      ['mailbox', 'list', 'alice@example.com'],
    ]) {
      expect(await run(pgEnv, args), args.join(' ')).toBe(await run(sqliteEnv, args));
    }
    // Into a store that holds data: refused, with the reason.
    const again = await runCli(['store', 'copy', '--to', url], sqliteEnv);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already holds data/);

    const back = path.join(data.dir, 'back.sqlite');
    expect(await run(pgEnv, ['store', 'copy', '--to', back])).toMatch(
      /verified every row and 1 body hashes\n$/,
    );
    const restored = openStore({ path: back });
    try {
      const user = (await restored.getUser('alice@example.com'))!;
      const inbox = (await restored.getMailbox(user.id, 'INBOX'))!;
      const [message] = await restored.listMessages(inbox.id);
      expect((await restored.readBody(message!.bodyHash)).toString()).toBe(
        'Subject: kept\r\n\r\nbyte for byte\r\n',
      );
      expect(await restored.verifyPassword('alice@example.com', 'pw-alice')).toMatchObject({ id: user.id });
    } finally {
      await restored.close();
    }
  });
});
