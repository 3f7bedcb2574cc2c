import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { openAppStore, openConfiguredStore } from './open-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const message = (subject: string): Buffer =>
  Buffer.from(
    `From: a@example.test\r\nTo: b@example.test\r\nSubject: ${subject}\r\n\r\nneedle-${subject} in the body\r\n`,
  );

/** Delivers one message through the store the server would open for `profile`, then closes it. */
async function deliverWith(profile: 'dev' | 'production'): Promise<string> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'minimail-open-store-'));
  dirs.push(dataDir);
  const config = loadConfig({ env: { MINIMAIL_PROFILE: profile, MINIMAIL_DATA_DIR: dataDir } });
  const store = await openConfiguredStore(config);
  try {
    const user = await store.ensureUser('b@example.test');
    await store.deliver({ raw: message(profile), targets: [{ userId: user.id }] });
  } finally {
    await store.close();
  }
  return dataDir;
}

/** What the dev catcher finds on the data: the search result, and how many bodies it had to index. */
async function catcherView(dataDir: string, term: string): Promise<{ total: number; backfilled: number }> {
  const store = openAppStore(dataDir);
  try {
    const before = await store.searchMessages({
      terms: [{ kind: 'text', field: 'any', value: term, negate: false }],
      start: 0,
      limit: 10,
    });
    const backfilled = await store.indexMissingBodies();
    const after = await store.searchMessages({
      terms: [{ kind: 'text', field: 'any', value: term, negate: false }],
      start: 0,
      limit: 10,
    });
    expect(after.total).toBe(1);
    return { total: before.total, backfilled };
  } finally {
    await store.close();
  }
}

describe('the catcher search index at delivery (docs/adr/0033)', () => {
  it('dev writes it in the delivery: searchable at once, nothing left to index', async () => {
    const dataDir = await deliverWith('dev');
    expect(await catcherView(dataDir, 'needle-dev')).toEqual({ total: 1, backfilled: 0 });
  });

  it('production leaves it out; a dev catcher on the same data indexes the body when it starts', async () => {
    const dataDir = await deliverWith('production');
    expect(await catcherView(dataDir, 'needle-production')).toEqual({ total: 0, backfilled: 1 });
  });
});

describe('IMAP SEARCH BODY indexes lazily in production (docs/adr/0036)', () => {
  it('production stores no entry at delivery, but keeps the hook for the search to index with', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'minimail-open-store-'));
    dirs.push(dataDir);
    const config = loadConfig({ env: { MINIMAIL_PROFILE: 'production', MINIMAIL_DATA_DIR: dataDir } });
    const store = await openConfiguredStore(config);
    try {
      const user = await store.ensureUser('b@example.test');
      await store.deliver({ raw: message('lazy'), targets: [{ userId: user.id }] });
      const inbox = (await store.getMailbox(user.id, 'INBOX'))!;
      expect(await store.searchIndexedText(inbox.id, 'needle-lazy')).toEqual({ matched: [], unindexed: [1] });
      expect(await store.indexMailboxBodies(inbox.id, 100)).toBe(1);
      expect(await store.searchIndexedText(inbox.id, 'NEEDLE-LAZY')).toEqual({ matched: [1], unindexed: [] });
    } finally {
      await store.close();
    }
  });
});

describe('IMAP SORT/THREAD keys at delivery (docs/adr/0037)', () => {
  it('the app store records each body with its structure and its sort keys, from one parse', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'minimail-open-store-'));
    dirs.push(dataDir);
    const store = openAppStore(dataDir);
    try {
      const user = await store.ensureUser('b@example.test');
      for (const subject of ['Re: first', 'second'])
        await store.deliver({ raw: message(subject), targets: [{ userId: user.id }] });
      const inbox = await store.getMailbox(user.id, 'INBOX');
      if (inbox === null) throw new Error('no INBOX');
      const list = await store.listSortKeys(inbox.id);
      expect(list.keys.map((keys) => (keys as unknown[]).slice(2, 5))).toEqual([
        ['FIRST', 1, 'A'],
        ['SECOND', 0, 'A'],
      ]);
      const [first] = await store.listMessages(inbox.id);
      expect(JSON.parse((await store.readStructure(first?.bodyHash ?? '')) ?? 'null')).not.toBeNull();
    } finally {
      await store.close();
    }
  });
});
