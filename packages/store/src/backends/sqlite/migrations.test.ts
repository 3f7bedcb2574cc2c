import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, migrate, schemaVersion } from './migrations/index.js';
import { openStore, type SqliteMailStore } from './sqlite-store.js';

/** Rows each older schema version can hold, inserted with plain SQL as that version's code would. */
const SEED_BY_VERSION: Record<number, (db: Database.Database) => void> = {
  1: (db) => {
    db.exec(`
      INSERT INTO domains (id, name, created_at) VALUES (1, 'example.com', 1000);
      INSERT INTO users (id, address, domain_id, password_hash, created_at) VALUES (1, 'old@example.com', 1, NULL, 1000);
      INSERT INTO aliases (source, destination) VALUES ('@example.com', 'old@example.com');
      INSERT INTO mailboxes (id, user_id, name, uid_validity, uid_next, highest_modseq) VALUES (1, 1, 'INBOX', 12345, 8, 9);
      INSERT INTO bodies (hash, size, data, refcount) VALUES ('h1', 5, x'68656c6c6f', 0);
      INSERT INTO messages (mailbox_id, uid, body_hash, size, internal_date, flags, seen, modseq)
        VALUES (1, 7, 'h1', 5, 2000, '\\Seen', 1, 9);
    `);
  },
  2: (db) => {
    SEED_BY_VERSION[1]?.(db);
    db.exec(`INSERT INTO outbound (sender, recipient, body_hash, size, created_at, next_attempt_at)
             VALUES ('old@example.com', 'far@remote.org', 'h1', 5, 3000, 3000);`);
  },
  3: (db) => SEED_BY_VERSION[2]?.(db),
  4: (db) => SEED_BY_VERSION[3]?.(db),
  5: (db) => {
    SEED_BY_VERSION[4]?.(db);
    // Version 5 keeps subscriptions as names (the subscribed column is gone).
    db.exec("INSERT INTO subscriptions (user_id, name) VALUES (1, 'INBOX');");
  },
};

/** The seed for a file at `version`: the newest seed written for that version or below it. */
function seedFor(version: number): (db: Database.Database) => void {
  for (let v = version; v >= 1; v -= 1) {
    const seed = SEED_BY_VERSION[v];
    if (seed) return seed;
  }
  throw new Error(`no seed for version ${version}`);
}

describe('migrations', () => {
  let dir: string;
  let path: string;
  let store: SqliteMailStore | null = null;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'minimail-migrate-'));
    path = join(dir, 'minimail.sqlite');
  });

  afterEach(async () => {
    await store?.close();
    store = null;
    rmSync(dir, { recursive: true, force: true });
  });

  it('are numbered 1..n in order', () => {
    expect(MIGRATIONS.map((migration) => migration.version)).toEqual(MIGRATIONS.map((_, index) => index + 1));
    expect(LATEST_SCHEMA_VERSION).toBeGreaterThanOrEqual(2);
  });

  it('bring an empty file to the latest version', async () => {
    store = openStore({ path });
    const db = new Database(path, { readonly: true });
    expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all();
    expect(tables).toEqual(
      expect.arrayContaining([
        'bodies',
        'changes',
        'dkim_keys',
        'domains',
        'expunged_uids',
        'subscriptions',
        'maildrop_locks',
        'mailboxes',
        'messages',
        'outbound',
        'users',
      ]),
    );
    db.close();
    expect(await store.listDomains()).toEqual([]);
  });

  for (let version = 1; version < LATEST_SCHEMA_VERSION; version += 1) {
    it(`upgrade a version ${version} file with data to the latest, data intact`, async () => {
      const db = new Database(path);
      migrate(db, version);
      expect(schemaVersion(db)).toBe(version);
      seedFor(version)(db);
      db.close();

      store = openStore({ path });
      const user = await store.getUser('old@example.com');
      expect(user).toMatchObject({ id: 1, address: 'old@example.com', hasPassword: false });
      expect(await store.resolveRecipient('anyone@example.com')).toMatchObject({
        kind: 'local',
        forward: [],
      });
      const inbox = await store.getMailbox(1, 'INBOX');
      expect(inbox).toMatchObject({ uidValidity: 12345, uidNext: 8 });
      expect(await store.mailboxStatus(inbox!.id)).toMatchObject({ messages: 1, unseen: 0 });
      const messages = await store.listMessages(1);
      expect(messages.map((m) => [m.uid, m.flags, m.size, m.bodyHash])).toEqual([[7, ['\\Seen'], 5, 'h1']]);
      // RFC 8514: a message saved before the save-date migration has no save date; its internal date stands in.
      expect(messages[0]?.saveDate).toEqual(new Date(2000));
      expect((await store.readBody('h1')).toString()).toBe('hello');
      // Bodies stored before version 3 have no recorded structure.
      expect(await store.readStructure('h1')).toBeNull();
      if (version >= 2) {
        // Queue entries survive every later migration; version 4 adds the delay-notice mark, unset.
        expect(await store.listOutbound()).toMatchObject([
          { recipient: 'far@remote.org', status: 'queued', attempts: 0, delayNotified: false },
        ]);
      }
      // Version 5: the mailboxes' subscribed column becomes the subscriptions list, unchanged.
      expect(await store.listSubscriptions(1)).toEqual(['INBOX']);
      // QRESYNC history (migration 011): nothing expunged before it was kept, so its history is
      // complete only from the mailbox's HIGHESTMODSEQ on; the messages there are not \Recent.
      expect(await store.expungedSince(1, 8)).toEqual({ uids: [], complete: false });
      expect(await store.expungedSince(1, 9)).toEqual({ uids: [], complete: true });
      expect(await store.recentMark(1)).toBe(7);
      // New writes keep working on the upgraded file: UIDs continue from uid_next.
      const delivered = await store.deliver({ raw: Buffer.from('x\r\n'), targets: [{ mailboxId: 1 }] });
      expect(delivered.copies[0]?.uid).toBe(8);
    });
  }

  it('refuse a file newer than the code with a clear error', () => {
    const db = new Database(path);
    db.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openStore({ path })).toThrow(/schema version \d+ is newer than this minimail supports/);
  });

  it('apply each migration once even when opened twice', async () => {
    store = openStore({ path });
    const second = openStore({ path });
    await second.close();
    const db = new Database(path, { readonly: true });
    expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
    db.close();
  });
});
