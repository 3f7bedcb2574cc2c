import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATA_TABLES } from '../core/data-tables.js';
import type { CoreMailStore } from '../core/mail-store.js';
import { openStore } from '../backends/sqlite/sqlite-store.js';
import { openPostgresStore } from '../backends/postgres/postgres-store.js';
import { postgresTestTarget, type PostgresTestTarget } from '../test-support/postgres-target.js';
import { message } from '../test-support/temp-store.js';
import { copyStore } from './copy-store.js';

/** Fills a store with one of everything a deployment holds, including gaps, renames and a queue. */
async function fill(store: CoreMailStore): Promise<void> {
  await store.addDomain('example.com');
  const alice = await store.addUser('alice@example.com', 'secret-1');
  const bob = await store.addUser('bob@example.com', null);
  await store.addAlias('team@example.com', 'alice@example.com');
  await store.addAlias('@example.com', 'bob@example.com');
  await store.createMailbox(alice.id, 'Work/2024/Q1');
  await store.deleteMailbox(alice.id, 'Work/2024'); // a \Noselect parent
  const inbox = (await store.getMailbox(alice.id, 'INBOX'))!;
  for (let i = 0; i < 12; i += 1) {
    await store.deliver({
      raw: message(`m${i}`, `body ${i}\r\n${'x'.repeat(i * 300)}`),
      targets: [{ mailboxId: inbox.id }, { userId: bob.id }],
      flags: i % 3 === 0 ? ['\\Seen', '$Label1'] : [],
      internalDate: new Date(Date.UTC(2024, 0, 1 + i)),
    });
  }
  // A binary-ish body (8-bit bytes, NUL) must come back byte for byte.
  await store.deliver({
    raw: Buffer.concat([Buffer.from('Subject: bytes\r\n\r\n'), Buffer.from([0, 1, 2, 255, 254, 13, 10])]),
    targets: [{ mailboxId: inbox.id }],
  });
  await store.setFlags(inbox.id, [2, 3], 'add', ['\\Deleted', '\\Flagged']);
  await store.expunge(inbox.id);
  await store.moveMessages(inbox.id, [4], (await store.getMailbox(alice.id, 'Archive'))!.id);
  await store.renameMailbox(bob.id, 'INBOX', 'Old');
  await store.deliver({
    raw: message('out'),
    targets: [],
    outbound: { sender: 'alice@example.com', recipients: ['a@remote.org', 'b@remote.org'] },
  });
  const [claimed] = await store.claimOutbound(1, 60_000);
  await store.failOutbound(claimed!.id, '550 no such user');
  const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  await store.setDkimKey('example.com', {
    selector: 's1',
    algorithm: 'ed25519-sha256',
    privateKeyPem: pem,
    publicKey: 'AAAA',
  });
  await store.putSieveScript(alice.id, 'main', 'require "fileinto";\r\nfileinto "Archive";\r\n');
  await store.putSieveScript(alice.id, 'spare', 'keep;');
  await store.activateSieveScript(alice.id, 'main');
  await store.claimVacationReply(alice.id, 'away', 'Carol@remote.org', 7, 1_000);
}

/** Every data table of a SQLite file, rows in key order, as plain values. */
function dumpFile(path: string): Record<string, unknown[]> {
  const db = new Database(path, { readonly: true });
  try {
    return Object.fromEntries(
      DATA_TABLES.map((table) => [table, db.prepare(`SELECT * FROM ${table} ORDER BY 1`).all()]),
    );
  } finally {
    db.close();
  }
}

describe('store copy: SQLite -> PostgreSQL -> SQLite', () => {
  let dir: string;
  let target: PostgresTestTarget;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'minimail-copy-'));
    target = await postgresTestTarget();
  });
  afterEach(async () => {
    await target.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('round-trips every row and every message byte for byte, ids, UIDs and modseqs unchanged', async () => {
    const first = join(dir, 'first.sqlite');
    const second = join(dir, 'second.sqlite');
    const original = openStore({ path: first });
    await fill(original);
    await original.close();

    const there = await copyStore(
      { kind: 'sqlite', path: first },
      { kind: 'postgres', settings: { url: target.url } },
    );
    expect(there.rows).toMatchObject({
      domains: 1,
      users: 2,
      aliases: 2,
      dkim_keys: 1,
      outbound: 2,
      sieve_scripts: 2,
      sieve_vacation_replies: 1,
    });
    expect(there.rows.messages).toBe(23);
    expect(there.bodiesVerified).toBe(there.rows.bodies);

    // Seen through the PostgreSQL store: the same mailboxes, UIDVALIDITY, UIDs, flags and bytes.
    const before = openStore({ path: first });
    const pg = await openPostgresStore({ url: target.url });
    try {
      for (const address of ['alice@example.com', 'bob@example.com']) {
        const user = (await before.getUser(address))!;
        expect(await pg.getUser(address)).toEqual(user);
        const mailboxes = await before.listMailboxes(user.id);
        expect(await pg.listMailboxes(user.id)).toEqual(mailboxes);
        for (const mailbox of mailboxes) {
          const messages = await before.listMessages(mailbox.id);
          expect(await pg.listMessages(mailbox.id)).toEqual(messages);
          for (const summary of messages)
            expect(
              (await pg.readBody(summary.bodyHash)).equals(await before.readBody(summary.bodyHash)),
            ).toBe(true);
        }
      }
      expect(await pg.verifyPassword('alice@example.com', 'secret-1')).toMatchObject({
        address: 'alice@example.com',
      });
      expect(await pg.listOutbound()).toEqual(await before.listOutbound());
      expect(await pg.getDkimKey('example.com')).toEqual(await before.getDkimKey('example.com'));
      const alice = (await before.getUser('alice@example.com'))!;
      expect(await pg.listSieveScripts(alice.id)).toEqual([
        { name: 'main', active: true },
        { name: 'spare', active: false },
      ]);
      expect(await pg.activeSieveScript(alice.id)).toEqual(await before.activeSieveScript(alice.id));
      // The vacation record came along: the same sender is not answered again within the period.
      expect(await pg.claimVacationReply(alice.id, 'away', 'carol@remote.org', 7, 2_000)).toBe(false);
    } finally {
      await before.close();
      await pg.close();
    }

    const back = await copyStore(
      { kind: 'postgres', settings: { url: target.url } },
      { kind: 'sqlite', path: second },
    );
    expect(back.rows).toEqual(there.rows);
    const a = dumpFile(first);
    const b = dumpFile(second);
    for (const table of DATA_TABLES) expect(b[table], table).toEqual(a[table]);

    // New writes on PostgreSQL continue after the copied ids and UIDs (the counters moved too).
    const moved = await openPostgresStore({ url: target.url });
    try {
      const alice = (await moved.getUser('alice@example.com'))!;
      const inbox = (await moved.getMailbox(alice.id, 'INBOX'))!;
      const next = await moved.deliver({
        raw: message('after the move'),
        targets: [{ mailboxId: inbox.id }],
      });
      const lastId = Math.max(...(a['messages'] as Array<{ id: number }>).map((row) => row.id));
      expect(next.copies[0]).toMatchObject({ uid: inbox.uidNext, messageId: lastId + 1 });
      expect((await moved.addUser('carol@example.com', null)).id).toBe(3);
    } finally {
      await moved.close();
    }
  });

  it('refuses to copy into a store that already holds data', async () => {
    const source = join(dir, 'source.sqlite');
    const store = openStore({ path: source });
    await store.ensureUser('u@example.com');
    await store.close();
    const pg = await openPostgresStore({ url: target.url });
    await pg.addDomain('already.example');
    await pg.close();
    await expect(
      copyStore({ kind: 'sqlite', path: source }, { kind: 'postgres', settings: { url: target.url } }),
    ).rejects.toMatchObject({ code: 'INVALID', message: expect.stringMatching(/already holds data/) });
  });
});
