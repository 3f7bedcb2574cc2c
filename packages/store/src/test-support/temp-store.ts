import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { CoreMailStore, CoreStoreOptions } from '../core/mail-store.js';
import type { Mailbox, User } from '../core/types.js';
import { openStore } from '../backends/sqlite/sqlite-store.js';
import { postgresTestTarget, type PostgresTestTarget } from './postgres-target.js';

/**
 * Which backend the contract suite runs on: vitest.config.ts runs it once per backend and writer
 * (SQLite inline, SQLite writer thread, PostgreSQL), so every backend is held to every test
 * (docs/adr/0002, 0013).
 */
export const TEST_BACKEND: 'sqlite' | 'postgres' =
  process.env['MINIMAIL_TEST_STORE_BACKEND'] === 'postgres' ? 'postgres' : 'sqlite';
export const TEST_WRITER: 'inline' | 'thread' =
  process.env['MINIMAIL_TEST_STORE_WRITER'] === 'thread' ? 'thread' : 'inline';

/** A store as the contract suite sees it: the whole MailStore, plus its commit counter. */
export type TestStore = CoreMailStore;

export interface TestOpenOptions extends CoreStoreOptions {
  /** SQLite: how often another process's commits are looked for. */
  changePollIntervalMs?: number;
  /** SQLite: where writes run (default: the project's TEST_WRITER). */
  writer?: 'inline' | 'thread';
}

/**
 * One test's data (a temp SQLite file, or a fresh PostgreSQL database in the project's private
 * cluster) plus every store opened on it; each `open()` is another process or node on the same
 * data. `cleanup()` closes them and removes the data.
 */
export class TempStores {
  readonly dir = mkdtempSync(join(tmpdir(), 'minimail-store-'));
  /** The SQLite file (SQLite backend only). */
  readonly path = join(this.dir, 'data', 'minimail.sqlite');
  private readonly opened: TestStore[] = [];
  private postgres: Promise<PostgresTestTarget> | null = null;

  async open(options: TestOpenOptions = {}): Promise<TestStore> {
    let store: TestStore;
    if (TEST_BACKEND === 'postgres') {
      store = await (await this.pg()).open(options);
    } else {
      store = openStore({ path: this.path, writer: TEST_WRITER, ...options });
    }
    this.opened.push(store);
    return store;
  }

  /**
   * Runs SQL on the data directly (as an operator or another program would), `?` placeholders on
   * either backend. Rows of a SELECT come back as objects; the tests use only SQL both speak.
   */
  async query(sql: string, params: unknown[] = []): Promise<Array<Record<string, unknown>>> {
    if (TEST_BACKEND === 'postgres') return (await this.pg()).query(sql, params);
    const db = new Database(this.path);
    try {
      const statement = db.prepare(sql);
      if (statement.reader) return statement.all(...params) as Array<Record<string, unknown>>;
      statement.run(...params);
      return [];
    } finally {
      db.close();
    }
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.opened.map((store) => store.close()));
    if (this.postgres !== null) await (await this.postgres).drop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private pg(): Promise<PostgresTestTarget> {
    this.postgres ??= postgresTestTarget();
    return this.postgres;
  }
}

/** A CRLF message with a unique Message-ID unless `body` is given. */
export function message(subject: string, body = `${subject} body`): Buffer {
  return Buffer.from(`From: a@example.com\r\nTo: b@example.com\r\nSubject: ${subject}\r\n\r\n${body}\r\n`);
}

/** Ensures `address` exists and returns it with its INBOX (every user is created with one). */
export async function userWithInbox(
  store: TestStore,
  address = 'u@example.com',
): Promise<{ user: User; inbox: Mailbox }> {
  const user = await store.ensureUser(address);
  const inbox = await store.getMailbox(user.id, 'INBOX');
  if (inbox === null) throw new Error(`${address} has no INBOX`);
  return { user, inbox };
}
