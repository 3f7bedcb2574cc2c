import { spawn } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MailboxChange, User } from '../../core/types.js';
import { ensureDistBuilt, PACKAGE_DIR } from '../../test-support/dist-build.js';
import { postgresTestTarget, type PostgresTestTarget } from '../../test-support/postgres-target.js';
import { message, userWithInbox, type TestStore } from '../../test-support/temp-store.js';
import { clientConfig } from './connection.js';
import { PG_LATEST_SCHEMA_VERSION, PG_MIGRATIONS } from './migrations/index.js';
import { migratePostgresDatabase, openPostgresStore } from './postgres-store.js';

/** Several stores on one database are several minimail nodes: what only a shared server backend must show. */
describe('PostgreSQL: several nodes on one database', () => {
  let target: PostgresTestTarget;
  const opened: TestStore[] = [];
  const open = async (): Promise<TestStore> => {
    const store = await target.open({});
    opened.push(store);
    return store;
  };

  beforeAll(() => ensureDistBuilt());
  beforeEach(async () => {
    target = await postgresTestTarget();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
    await target.drop();
  });

  it('runs every connection with synchronous_commit=on and the configured statement timeout', async () => {
    const client = new pg.Client(clientConfig({ url: target.url, statementTimeoutMs: 1234 }));
    await client.connect();
    try {
      expect((await client.query('SHOW synchronous_commit')).rows[0]).toEqual({ synchronous_commit: 'on' });
      expect((await client.query('SHOW statement_timeout')).rows[0]).toEqual({ statement_timeout: '1234ms' });
    } finally {
      await client.end();
    }
  });

  it('migrates once, records the version, and refuses a database newer than the code', async () => {
    expect(await migratePostgresDatabase({ url: target.url })).toEqual([]);
    // Every migration once, in order (no literal latest version: other migrations follow).
    expect(await target.query('SELECT version, name FROM minimail_schema ORDER BY version', [])).toEqual(
      PG_MIGRATIONS.map(({ version, name }) => ({ version, name })),
    );
    await target.query('INSERT INTO minimail_schema (version, name) VALUES (?, ?)', [
      PG_LATEST_SCHEMA_VERSION + 1,
      'future',
    ]);
    await expect(openPostgresStore({ url: target.url })).rejects.toMatchObject({
      code: 'INVALID',
      message: expect.stringMatching(/schema version \d+ is newer than this minimail supports/),
    });
  });

  it('allocates UIDs and modseqs without gaps or duplicates when three nodes deliver into one mailbox', async () => {
    const nodes = [await open(), await open(), await open()];
    const { inbox } = await userWithInbox(nodes[0]!);
    const results = await Promise.all(
      nodes.map(async (node, n) => {
        const uids: number[] = [];
        // Concurrent within a node too: the deliveries of one turn share a transaction.
        const batch = await Promise.all(
          Array.from({ length: 30 }, (_, i) =>
            node.deliver({ raw: message(`node ${n} message ${i}`), targets: [{ mailboxId: inbox.id }] }),
          ),
        );
        for (const result of batch) uids.push(result.copies[0]?.uid ?? 0);
        return uids;
      }),
    );
    const all = results.flat().sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 90 }, (_, i) => i + 1));
    const listed = await nodes[2]!.listMessages(inbox.id);
    expect(listed.map((m) => m.uid)).toEqual(all);
    expect(new Set(listed.map((m) => m.modseq)).size).toBe(90);
    expect((await nodes[1]!.mailboxStatus(inbox.id)).highestModseq).toBe(91);
  });

  it('group-commits concurrent deliveries: fifty writes share a handful of COMMITs', async () => {
    const store = await open();
    const { inbox } = await userWithInbox(store);
    const before = store.commitCount;
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        store.deliver({ raw: message(`gc ${i}`), targets: [{ mailboxId: inbox.id }] }),
      ),
    );
    expect(results.map((r) => r.copies[0]?.uid).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    const commits = store.commitCount - before;
    expect(commits).toBeGreaterThanOrEqual(1);
    expect(commits).toBeLessThanOrEqual(5);
  });

  it('creates a new dev-profile user once when several nodes deliver to it at the same moment', async () => {
    const nodes = [await open(), await open(), await open()];
    const users = await Promise.all(nodes.map((node) => node.ensureUser('new@fresh.example')));
    expect(new Set(users.map((user) => user.id)).size).toBe(1);
    expect((await nodes[0]!.listMailboxes(users[0]!.id)).map((m) => m.name)).toEqual([
      'Archive',
      'Drafts',
      'INBOX',
      'Junk',
      'Sent',
      'Trash',
    ]);
    expect((await nodes[1]!.listDomains()).map((d) => d.name)).toEqual(['fresh.example']);
  });

  it('hands each due outbound entry to exactly one of two nodes claiming at once (SKIP LOCKED)', async () => {
    const [a, b] = [await open(), await open()];
    const recipients = Array.from({ length: 40 }, (_, i) => `r${i}@remote.org`);
    await a.deliver({ raw: message('out'), targets: [], outbound: { sender: 's@example.com', recipients } });
    const claimedA: number[] = [];
    const claimedB: number[] = [];
    for (let round = 0; round < 10; round += 1) {
      const [fromA, fromB] = await Promise.all([a.claimOutbound(3, 60_000), b.claimOutbound(3, 60_000)]);
      claimedA.push(...fromA.map((entry) => entry.id));
      claimedB.push(...fromB.map((entry) => entry.id));
    }
    const all = [...claimedA, ...claimedB].sort((x, y) => x - y);
    expect(new Set(all).size).toBe(all.length);
    expect(all).toEqual((await a.listOutbound()).map((entry) => entry.id));
    expect(claimedA.length).toBeGreaterThan(0);
    expect(claimedB.length).toBeGreaterThan(0);
  });

  it('locks a maildrop on every node at once, and frees it when the holding node closes', async () => {
    const [a, b] = [await open(), await open()];
    const user = await a.ensureUser('pop@example.com');
    expect(await a.lockMaildrop(user.id, 'a-1')).toBe(true);
    expect(await a.lockMaildrop(user.id, 'a-1')).toBe(true);
    expect(await a.lockMaildrop(user.id, 'a-2')).toBe(false);
    expect(await b.lockMaildrop(user.id, 'b-1')).toBe(false);
    await b.unlockMaildrop(user.id, 'b-1'); // not the holder: no effect
    expect(await b.lockMaildrop(user.id, 'b-1')).toBe(false);
    await a.unlockMaildrop(user.id, 'a-1');
    expect(await b.lockMaildrop(user.id, 'b-1')).toBe(true);
    expect(await a.lockMaildrop(user.id, 'a-1')).toBe(false);
    await b.close();
    expect(await a.lockMaildrop(user.id, 'a-1')).toBe(true);
    await expect(a.lockMaildrop(99999, 'x')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('frees the maildrop lock of a node that is SIGKILLed', async () => {
    const store = await open();
    const user: User = await store.ensureUser('pop@example.com');
    const child = spawn(
      process.execPath,
      [join(PACKAGE_DIR, 'src', 'test-support', 'child-pg-lock.mjs'), target.url, String(user.id)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    try {
      const firstLine = await new Promise<string>((resolve, reject) => {
        child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString()));
        child.on('error', reject);
      });
      expect(firstLine).toBe('locked\n');
      expect(await store.lockMaildrop(user.id, 'parent')).toBe(false);
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    // The server ends the dead node's session (its socket closed) and with it the advisory lock.
    let locked = false;
    for (let attempt = 0; attempt < 50 && !locked; attempt += 1) {
      locked = await store.lockMaildrop(user.id, 'parent');
      if (!locked) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(locked).toBe(true);
  });

  it('catches up on changes committed while its LISTEN connection was down', async () => {
    const [a, b] = [await open(), await open()];
    const { inbox } = await userWithInbox(a);
    const seen: MailboxChange[] = [];
    b.watch(inbox.id, (changes) => seen.push(...changes));
    // Cut every LISTEN connection of the database's nodes (as a failover or a network cut would).
    await target.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
       WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()`,
      [],
    );
    await a.deliver({ raw: message('while b was away'), targets: [{ mailboxId: inbox.id }] });
    await a.deliver({ raw: message('and another'), targets: [{ mailboxId: inbox.id }] });
    for (let attempt = 0; attempt < 100 && seen.length < 2; attempt += 1)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toEqual([
      { kind: 'new', mailboxId: inbox.id, uid: 1, modseq: 2 },
      { kind: 'new', mailboxId: inbox.id, uid: 2, modseq: 3 },
    ]);
  });
});
