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
});
