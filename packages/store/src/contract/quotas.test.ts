import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStores } from '../test-support/temp-store.js';
import type { TestStore } from '../test-support/temp-store.js';

const message = (n: number): Buffer => Buffer.from(`Subject: ${n}\r\n\r\n${'x'.repeat(n)}\r\n`);

describe('quotas', () => {
  let temp: TempStores;
  let store: TestStore;

  beforeEach(async () => {
    temp = new TempStores();
    store = await temp.open();
    await store.addDomain('example.com');
    await store.addUser('alice@example.com', 'pw');
    await store.addUser('bob@example.com', 'pw');
  });
  afterEach(() => temp.cleanup());

  /** Usage as the mailboxes count it, to hold the trigger-kept counters to. */
  async function counted(address: string): Promise<{ usedBytes: number; usedMessages: number }> {
    const user = (await store.getUser(address))!;
    let usedBytes = 0;
    let usedMessages = 0;
    for (const mailbox of await store.listMailboxes(user.id)) {
      const status = await store.mailboxStatus(mailbox.id);
      usedBytes += status.size;
      usedMessages += status.messages;
    }
    return { usedBytes, usedMessages };
  }

  it('counts usage exactly through delivery, copy, move, expunge and mailbox deletion', async () => {
    const alice = (await store.getUser('alice@example.com'))!;
    const bob = (await store.getUser('bob@example.com'))!;
    expect(await store.getQuota('alice@example.com')).toEqual({
      limitBytes: null,
      source: 'none',
      limitMessages: null,
      usedBytes: 0,
      usedMessages: 0,
    });
    // One delivery to both users counts for each; one body stored once does not matter to quota.
    await store.deliver({ raw: message(100), targets: [{ userId: alice.id }, { userId: bob.id }] });
    await store.deliver({ raw: message(1000), targets: [{ userId: alice.id }] });
    const inbox = (await store.getMailbox(alice.id, 'INBOX'))!;
    const archive = (await store.getMailbox(alice.id, 'Archive'))!;
    await store.copyMessages(inbox.id, [1, 2], archive.id);
    await store.moveMessages(archive.id, [1], (await store.getMailbox(alice.id, 'Trash'))!.id);
    await store.setFlags(inbox.id, [2], 'add', ['\\Deleted']);
    await store.expunge(inbox.id);
    expect(await store.getQuota('alice@example.com')).toMatchObject(await counted('alice@example.com'));
    expect((await store.getQuota('alice@example.com')).usedMessages).toBe(3);
    await store.createMailbox(alice.id, 'Old');
    await store.copyMessages(inbox.id, [1], (await store.getMailbox(alice.id, 'Old'))!.id);
    await store.deleteMailbox(alice.id, 'Old');
    expect(await store.getQuota('alice@example.com')).toMatchObject({
      ...(await counted('alice@example.com')),
      usedMessages: 3,
    });
    expect(await store.getQuota('bob@example.com')).toMatchObject({
      usedBytes: message(100).length,
      usedMessages: 1,
    });
  });

  it('takes the user limit, else the domain default, else none', async () => {
    await store.setDomainQuota('example.com', 1_000_000);
    expect(await store.getQuota('alice@example.com')).toMatchObject({
      limitBytes: 1_000_000,
      source: 'domain',
    });
    await store.setQuota('alice@example.com', 5_000);
    expect(await store.getQuota('alice@example.com')).toMatchObject({ limitBytes: 5_000, source: 'user' });
    expect(await store.getQuota('bob@example.com')).toMatchObject({
      limitBytes: 1_000_000,
      source: 'domain',
    });
    await store.setQuota('alice@example.com', null);
    await store.setDomainQuota('example.com', null);
    expect(await store.getQuota('alice@example.com')).toMatchObject({ limitBytes: null, source: 'none' });
  });

  it('refuses bad limits and unknown names', async () => {
    await expect(store.setQuota('alice@example.com', -1)).rejects.toMatchObject({ code: 'INVALID' });
    await expect(store.setQuota('alice@example.com', 1.5)).rejects.toMatchObject({ code: 'INVALID' });
    await expect(store.setQuota('nobody@example.com', 1)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(store.setDomainQuota('other.org', 1)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(store.getQuota('nobody@example.com')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('keeps a message limit per user and per domain (RFC 9208 MESSAGE)', async () => {
    await store.setDomainQuota('example.com', 50, 'MESSAGE');
    expect(await store.getQuota('bob@example.com')).toMatchObject({ limitMessages: 50, limitBytes: null });
    await store.setQuota('alice@example.com', 3, 'MESSAGE');
    await store.setQuota('alice@example.com', 9_000);
    expect(await store.getQuota('alice@example.com')).toMatchObject({
      limitBytes: 9_000,
      source: 'user',
      limitMessages: 3,
    });
    await store.setQuota('alice@example.com', null, 'MESSAGE');
    expect(await store.getQuota('alice@example.com')).toMatchObject({ limitBytes: 9_000, limitMessages: 50 });
    await expect(store.setQuota('alice@example.com', -2, 'MESSAGE')).rejects.toMatchObject({
      code: 'INVALID',
    });
  });

  it('enforced deliveries never pass a limit: users over it get no copy, the others do', async () => {
    const alice = (await store.getUser('alice@example.com'))!;
    const bob = (await store.getUser('bob@example.com'))!;
    const size = message(100).length;
    await store.setQuota('alice@example.com', size * 2);
    const both = [{ userId: alice.id }, { userId: bob.id }];
    const first = await store.deliver({ raw: message(100), targets: both, quota: 'enforce' });
    expect(first.copies.map((copy) => copy.userId)).toEqual([alice.id, bob.id]);
    expect(first.overQuota).toEqual([]);
    await store.deliver({ raw: message(100), targets: both, quota: 'enforce' });
    // Exactly at the limit now: the next one goes to bob only.
    const third = await store.deliver({ raw: message(100), targets: both, quota: 'enforce' });
    expect(third.copies.map((copy) => copy.userId)).toEqual([bob.id]);
    expect(third.overQuota).toEqual([alice.id]);
    // Alone, an over-quota delivery fails and stores nothing.
    await expect(
      store.deliver({ raw: message(100), targets: [{ userId: alice.id }], quota: 'enforce' }),
    ).rejects.toMatchObject({ code: 'OVER_QUOTA' });
    expect(await store.getQuota('alice@example.com')).toMatchObject({ usedBytes: size * 2, usedMessages: 2 });
    // Without enforcement (an operator's import) the limit is not checked.
    await store.deliver({ raw: message(100), targets: [{ userId: alice.id }] });
    expect((await store.getQuota('alice@example.com')).usedMessages).toBe(3);
  });

  it('holds concurrent enforced deliveries to the limit', async () => {
    const alice = (await store.getUser('alice@example.com'))!;
    await store.setQuota('alice@example.com', 5, 'MESSAGE');
    const other = await temp.open();
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, n) =>
        (n % 2 === 0 ? store : other).deliver({
          raw: message(n + 1),
          targets: [{ userId: alice.id }],
          quota: 'enforce',
        }),
      ),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(5);
    for (const result of results)
      if (result.status === 'rejected') expect(result.reason).toMatchObject({ code: 'OVER_QUOTA' });
    expect(await store.getQuota('alice@example.com')).toMatchObject(await counted('alice@example.com'));
    expect((await store.getQuota('alice@example.com')).usedMessages).toBe(5);
  });

  it('leaves one warning message when a delivery reaches 90% of a limit', async () => {
    const alice = (await store.getUser('alice@example.com'))!;
    await store.setQuota('alice@example.com', 10, 'MESSAGE');
    for (let n = 0; n < 8; n += 1)
      await store.deliver({ raw: message(10), targets: [{ userId: alice.id }], quota: 'enforce' });
    const inbox = (await store.getMailbox(alice.id, 'INBOX'))!;
    expect(await store.listMessages(inbox.id)).toHaveLength(8);
    // The ninth message reaches 90%: the warning follows it into the INBOX.
    await store.deliver({ raw: message(10), targets: [{ userId: alice.id }], quota: 'enforce' });
    const listed = await store.listMessages(inbox.id);
    expect(listed).toHaveLength(10);
    const warning = (await store.readBody(listed[9]!.bodyHash)).toString();
    expect(warning).toMatch(/^From: Mail system <postmaster@example\.com>\r\n/);
    expect(warning).toContain('\r\nTo: <alice@example.com>\r\n');
    expect(warning).toContain('\r\nSubject: Your mailbox is 90% full\r\n');
    expect(warning).toContain('Messages: 9 of 10');
    // Already past 90%: no second warning (the warning itself filled the last slot).
    await expect(
      store.deliver({ raw: message(10), targets: [{ userId: alice.id }], quota: 'enforce' }),
    ).rejects.toMatchObject({ code: 'OVER_QUOTA' });
    expect(await store.listMessages(inbox.id)).toHaveLength(10);
  });

  it('refuses a copy that would pass a limit, and leaves the usage as it was', async () => {
    const alice = (await store.getUser('alice@example.com'))!;
    for (let n = 0; n < 3; n += 1) await store.deliver({ raw: message(50), targets: [{ userId: alice.id }] });
    const inbox = (await store.getMailbox(alice.id, 'INBOX'))!;
    const archive = (await store.getMailbox(alice.id, 'Archive'))!;
    await store.setQuota('alice@example.com', 5, 'MESSAGE');
    await expect(store.copyMessages(inbox.id, [1, 2, 3], archive.id)).rejects.toMatchObject({
      code: 'OVER_QUOTA',
    });
    expect(await store.listMessages(archive.id)).toEqual([]);
    expect(await store.getQuota('alice@example.com')).toMatchObject({ usedMessages: 3 });
    const copied = await store.copyMessages(inbox.id, [1, 2], archive.id);
    expect(copied.targetUids).toHaveLength(2);
    // MOVE stays within the user: no change of usage, never refused for quota.
    await store.moveMessages(inbox.id, [3], archive.id);
    expect(await store.getQuota('alice@example.com')).toMatchObject(await counted('alice@example.com'));
    expect((await store.getQuota('alice@example.com')).usedMessages).toBe(5);
  });
});
