import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { restoreDatabase, verifyStoreFile } from './backup.js';
import { openStore } from './sqlite-store.js';
import { TempStores, message } from '../../test-support/temp-store.js';
import { StoreError } from '../../core/types.js';

/** Subjects of a user's INBOX in UID order, read through a fresh store on `path`. */
async function inboxSubjects(path: string, address: string): Promise<string[]> {
  const store = openStore({ path });
  try {
    const user = await store.getUser(address);
    if (user === null) return [];
    const inbox = await store.getMailbox(user.id, 'INBOX');
    if (inbox === null) return [];
    const subjects: string[] = [];
    for (const summary of await store.listMessages(inbox.id)) {
      const raw = (await store.readBody(summary.bodyHash)).toString();
      subjects.push(/^Subject: (.*)$/m.exec(raw)?.[1] ?? '?');
    }
    return subjects;
  } finally {
    await store.close();
  }
}

describe('backup and restore', () => {
  let temp: TempStores;
  beforeEach(() => {
    temp = new TempStores();
  });
  afterEach(() => temp.cleanup());

  it('copies every committed message while deliveries keep going, as one self-contained file', async () => {
    const store = await temp.open();
    const user = await store.ensureUser('u@example.com');
    for (let i = 0; i < 20; i++)
      await store.deliver({ raw: message(`before ${i}`), targets: [{ userId: user.id }] });
    // Writes queued during the backup: none may break it, and the copy is a consistent snapshot.
    const during = Array.from({ length: 20 }, (_, i) =>
      store.deliver({ raw: message(`during ${i}`), targets: [{ userId: user.id }] }),
    );
    const file = join(temp.dir, 'backup.sqlite');
    await store.backup(file);
    await Promise.all(during);

    expect(readdirSync(temp.dir).filter((name) => name.startsWith('backup'))).toEqual(['backup.sqlite']);
    const copy = new Database(file, { readonly: true });
    expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    copy.close();
    const subjects = await inboxSubjects(file, 'u@example.com');
    for (let i = 0; i < 20; i++) expect(subjects).toContain(`before ${i}`);
    // Whatever part of the concurrent batch made it in did so whole and in UID order.
    const duringCopied = subjects.filter((s) => s.startsWith('during'));
    expect(duringCopied).toEqual(duringCopied.map((_, i) => `during ${i}`));
  });

  it('restores into a data dir only while no one has the store open', async () => {
    const store = await temp.open();
    const user = await store.ensureUser('u@example.com');
    await store.deliver({ raw: message('kept'), targets: [{ userId: user.id }] });
    const file = join(temp.dir, 'backup.sqlite');
    await store.backup(file);
    await store.deliver({ raw: message('after backup'), targets: [{ userId: user.id }] });

    // A server (here: the open store) still has the file: refused, nothing changed.
    const refused = (() => {
      try {
        restoreDatabase(file, temp.path);
        return null;
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(StoreError);
    expect((refused as StoreError).code).toBe('LOCKED');
    expect((refused as StoreError).message).toMatch(/in use .*stop it before restoring/);
    await store.close();

    const { previous } = restoreDatabase(file, temp.path);
    expect(previous).toBe(`${temp.path}.before-restore`);
    expect(await inboxSubjects(temp.path, 'u@example.com')).toEqual(['kept']);
    expect(await inboxSubjects(`${temp.path}.before-restore`, 'u@example.com')).toEqual([
      'kept',
      'after backup',
    ]);
    // The restored store takes new mail with the next UID.
    const reopened = await temp.open();
    const inbox = await reopened.getMailbox(user.id, 'INBOX');
    const result = await reopened.deliver({ raw: message('new'), targets: [{ userId: user.id }] });
    expect(result.copies[0]?.uid).toBe(inbox?.uidNext);
  });

  it('refuses a file that is not a minimail store', async () => {
    const garbage = join(temp.dir, 'garbage.sqlite');
    writeFileSync(garbage, 'not a database at all, just some text that is long enough');
    expect(() => verifyStoreFile(garbage)).toThrow(
      /cannot open as an SQLite database|not a readable minimail store/,
    );
    const empty = join(temp.dir, 'empty.sqlite');
    new Database(empty).close();
    expect(() => verifyStoreFile(empty)).toThrow(/not a minimail store/);
    expect(() => restoreDatabase(join(temp.dir, 'missing.sqlite'), temp.path)).toThrow(/cannot open/);
    expect(existsSync(temp.path)).toBe(false);
  });

  it('rejects a backup after close', async () => {
    const store = await temp.open();
    await store.close();
    await expect(store.backup(join(temp.dir, 'x.sqlite'))).rejects.toMatchObject({ code: 'TEMPORARY' });
  });
});
