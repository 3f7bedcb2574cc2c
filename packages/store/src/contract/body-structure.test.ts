import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStores, type TestStore } from '../test-support/temp-store.js';

describe('body descriptions (structure computed once, at store time)', () => {
  let temp: TempStores;
  let store: TestStore;
  let calls: number;

  beforeEach(async () => {
    temp = new TempStores();
    calls = 0;
    store = await temp.open({
      describeBody: (raw) => {
        calls += 1;
        if (raw.includes('explode')) throw new Error('parser failed');
        return JSON.stringify({ size: raw.length });
      },
      logger: { warn: () => undefined },
    });
  });
  afterEach(() => temp.cleanup());

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
