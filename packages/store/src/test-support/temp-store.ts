import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type SqliteMailStore } from '../sqlite-store.js';
import type { OpenStoreOptions } from '../sqlite-store.js';
import type { Mailbox, User } from '../types.js';

/**
 * Which writer the suite's stores use: vitest.config.ts runs the whole suite once per writer, so
 * both kinds are held to every test (docs/adr/0013).
 */
export const TEST_WRITER: 'inline' | 'thread' =
  process.env['MINIMAIL_TEST_STORE_WRITER'] === 'thread' ? 'thread' : 'inline';

/** A temp data dir plus every store opened on it; `cleanup()` closes them and removes the dir. */
export class TempStores {
  readonly dir = mkdtempSync(join(tmpdir(), 'minimail-store-'));
  readonly path = join(this.dir, 'data', 'minimail.sqlite');
  private readonly opened: SqliteMailStore[] = [];

  open(options: Partial<OpenStoreOptions> = {}): SqliteMailStore {
    const store = openStore({ path: this.path, writer: TEST_WRITER, ...options });
    this.opened.push(store);
    return store;
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.opened.map((store) => store.close()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A CRLF message with a unique Message-ID unless `body` is given. */
export function message(subject: string, body = `${subject} body`): Buffer {
  return Buffer.from(`From: a@example.com\r\nTo: b@example.com\r\nSubject: ${subject}\r\n\r\n${body}\r\n`);
}

/** Ensures `address` exists and returns it with its INBOX (every user is created with one). */
export async function userWithInbox(
  store: SqliteMailStore,
  address = 'u@example.com',
): Promise<{ user: User; inbox: Mailbox }> {
  const user = await store.ensureUser(address);
  const inbox = await store.getMailbox(user.id, 'INBOX');
  if (inbox === null) throw new Error(`${address} has no INBOX`);
  return { user, inbox };
}
