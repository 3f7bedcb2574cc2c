import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type SqliteMailStore } from './sqlite-store.js';

describe('body descriptions (structure computed once, at store time)', () => {
  let dir: string;
  let store: SqliteMailStore;
  let calls: number;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'minimail-structure-'));
    calls = 0;
    store = openStore({
      path: join(dir, 'minimail.sqlite'),
      describeBody: (raw) => {
        calls += 1;
        if (raw.includes('explode')) throw new Error('parser failed');
        return JSON.stringify({ size: raw.length });
      },
      logger: { warn: () => undefined },
    });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records the description with the body and returns it for every copy', async () => {
    const a = await store.ensureUser('a@example.test');
    const b = await store.ensureUser('b@example.test');
    const raw = Buffer.from('Subject: x\r\n\r\nhello\r\n');
    const result = await store.deliver({ raw, targets: [{ userId: a.id }, { userId: b.id }] });
    expect(calls).toBe(1);
    expect(await store.readStructure(result.bodyHash)).toBe(JSON.stringify({ size: raw.length }));
  });

  it('stores the body without a description when the describer throws', async () => {
    const a = await store.ensureUser('a@example.test');
    const result = await store.deliver({ raw: Buffer.from('explode\r\n'), targets: [{ userId: a.id }] });
    expect(await store.readStructure(result.bodyHash)).toBeNull();
    expect((await store.readBody(result.bodyHash)).toString()).toBe('explode\r\n');
  });

  it('answers NOT_FOUND for an unknown body', async () => {
    await expect(store.readStructure('0'.repeat(64))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
