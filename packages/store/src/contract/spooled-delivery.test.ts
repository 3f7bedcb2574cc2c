/**
 * Spooled deliveries (docs/adr/0027): a message in a file, with an optional head before it and an
 * offset into it, is stored byte for byte as the same delivery with `raw` would be, on every
 * backend; the store never removes the file; and many waiting large messages are read into memory
 * only as far as the load bound allows.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Mailbox, User } from '../core/types.js';
import { TempStores, message, userWithInbox, type TestStore } from '../test-support/temp-store.js';

describe('spooled delivery', () => {
  let temp: TempStores;
  let store: TestStore;
  let user: User;
  let inbox: Mailbox;

  const spoolFile = (name: string, bytes: Buffer): string => {
    const path = join(temp.dir, name);
    writeFileSync(path, bytes, { mode: 0o600 });
    return path;
  };

  beforeEach(async () => {
    temp = new TempStores();
    store = await temp.open({ spooledLoadBytes: 1024 * 1024 });
    ({ user, inbox } = await userWithInbox(store));
  });
  afterEach(() => temp.cleanup());

  it('stores head + file[offset..] exactly, and the same bytes as raw share one body', async () => {
    const body = Buffer.concat([message('spooled'), randomBytes(300_000)]);
    const path = spoolFile('a.eml', Buffer.concat([Buffer.from('SKIP ME'), body]));
    const head = Buffer.from('Received: by test\r\n');
    const spooled = await store.deliver({
      spooled: { path, head, offset: 7 },
      targets: [{ mailboxId: inbox.id }],
      flags: ['\\Seen'],
    });
    const expected = Buffer.concat([head, body]);
    expect(spooled.copies).toEqual([
      expect.objectContaining({ mailboxId: inbox.id, userId: user.id, uid: 1 }),
    ]);
    const stored = await store.getMessage(inbox.id, 1);
    expect(stored).toMatchObject({ size: expected.length, flags: ['\\Seen'] });
    expect((await store.readBody(spooled.bodyHash)).equals(expected)).toBe(true);
    // The caller owns the file: the store leaves it where it was.
    expect(existsSync(path)).toBe(true);
    const same = await store.deliver({ raw: expected, targets: [{ mailboxId: inbox.id }] });
    expect(same.bodyHash).toBe(spooled.bodyHash);
    expect(await temp.query('SELECT refcount FROM bodies')).toEqual([{ refcount: 2 }]);
  });

  it('queues remote recipients from a spooled message like from raw', async () => {
    const body = message('relayed');
    const result = await store.deliver({
      spooled: { path: spoolFile('b.eml', body) },
      targets: [],
      outbound: { sender: 'u@example.com', recipients: ['far@remote.test'] },
    });
    expect(result.queued).toHaveLength(1);
    const [entry] = await store.listOutbound();
    expect(entry).toMatchObject({
      recipient: 'far@remote.test',
      bodyHash: result.bodyHash,
      size: body.length,
    });
  });

  it('refuses a missing file, an empty message, an offset past the end, and both raw and spooled', async () => {
    const target = [{ mailboxId: inbox.id }];
    await expect(
      store.deliver({ spooled: { path: join(temp.dir, 'missing.eml') }, targets: target }),
    ).rejects.toMatchObject({ code: 'INVALID' });
    await expect(
      store.deliver({ spooled: { path: spoolFile('empty.eml', Buffer.alloc(0)) }, targets: target }),
    ).rejects.toMatchObject({ code: 'INVALID', message: 'message is empty' });
    await expect(
      store.deliver({ spooled: { path: spoolFile('c.eml', message('x')), offset: 10_000 }, targets: target }),
    ).rejects.toMatchObject({ code: 'INVALID' });
    await expect(
      store.deliver({
        raw: message('y'),
        spooled: { path: spoolFile('d.eml', message('y')) },
        targets: target,
      }),
    ).rejects.toMatchObject({ code: 'INVALID' });
    await expect(store.deliver({ targets: target })).rejects.toMatchObject({ code: 'INVALID' });
    expect(await store.listMessages(inbox.id)).toEqual([]);
  });

  it('stores many parallel spooled messages larger than the load bound, each byte-exact', async () => {
    // The store was opened with a 1 MiB load bound: 12 messages of 600 KB wait their turn.
    const bodies = Array.from({ length: 12 }, (_, i) =>
      Buffer.concat([message(`m${i}`), randomBytes(600_000)]),
    );
    const results = await Promise.all(
      bodies.map((body, i) =>
        store.deliver({
          spooled: { path: spoolFile(`p${i}.eml`, body) },
          targets: [{ mailboxId: inbox.id }],
        }),
      ),
    );
    expect(results.map((r) => r.copies[0]?.uid).sort((a, b) => a! - b!)).toEqual(
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
    for (const [i, result] of results.entries()) {
      expect((await store.readBody(result.bodyHash)).equals(bodies[i]!)).toBe(true);
    }
  });

  it('deliverAll (MULTIAPPEND) takes spooled and raw messages together, in order, in one transaction', async () => {
    const big = Buffer.concat([message('first'), randomBytes(200_000)]);
    const small = message('second');
    const results = await store.deliverAll([
      { spooled: { path: spoolFile('m1.eml', big) }, targets: [{ mailboxId: inbox.id }] },
      { raw: small, targets: [{ mailboxId: inbox.id }] },
    ]);
    expect(results.map((result) => result.copies[0]?.uid)).toEqual([1, 2]);
    expect((await store.readBody(results[0]!.bodyHash)).equals(big)).toBe(true);
    expect((await store.readBody(results[1]!.bodyHash)).equals(small)).toBe(true);
    // All or none: a missing spool file refuses the whole batch.
    await expect(
      store.deliverAll([
        { raw: message('third'), targets: [{ mailboxId: inbox.id }] },
        { spooled: { path: join(temp.dir, 'gone.eml') }, targets: [{ mailboxId: inbox.id }] },
      ]),
    ).rejects.toMatchObject({ code: 'INVALID' });
    expect(await store.listMessages(inbox.id)).toHaveLength(2);
  });
});
